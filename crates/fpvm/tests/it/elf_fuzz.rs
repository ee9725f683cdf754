//! The loader never panics, whatever the bytes: it loads them or says why not, and whatever it
//! loads runs to an exit or a typed error.

use pillar_fpvm::{LinuxSyscalls, asm, load_elf};
use proptest::prelude::*;

/// A valid executable to mutate, so mutations get past the magic and reach the program headers.
fn valid() -> Vec<u8> {
    let code = asm::words_to_bytes(&[asm::addi(10, 0, 3), asm::addi(17, 0, 93), asm::ECALL]);
    asm::elf(0x1_0000, &[(0x1_0000, &code), (0x2_0000, &[7; 64])])
}

fn load_and_run(bytes: &[u8]) {
    if let Ok(mut m) = load_elf(bytes) {
        m.memory_mut().set_page_limit(64);
        let _ = m.run(&mut LinuxSyscalls::default(), 1_000);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_bytes_never_panic(bytes in proptest::collection::vec(any::<u8>(), 0..256)) {
        load_and_run(&bytes);
    }

    #[test]
    fn mutated_executables_never_panic(
        edits in proptest::collection::vec((0usize..200, any::<u8>()), 1..8),
        truncate in proptest::option::of(0usize..200),
    ) {
        let mut bytes = valid();
        // Edits land in the ELF and program headers and the start of the code.
        for (at, b) in edits {
            let at = if at < 116 { at } else { 0x1000 + at - 116 };
            bytes[at] = b;
        }
        if let Some(n) = truncate {
            bytes.truncate(n);
        }
        load_and_run(&bytes);
    }
}

#[test]
fn the_unmutated_executable_runs() {
    let mut m = load_elf(&valid()).unwrap();
    assert_eq!(m.run(&mut LinuxSyscalls::default(), 10).unwrap().code, 3);
}
