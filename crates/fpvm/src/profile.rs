//! Where a guest's steps go: steps counted per instruction address while the guest runs, and
//! attributed to the function symbols of its ELF (`fpvm --profile`). A developer's tool for the
//! program's instruction budget (docs/performance.md), not part of the VM's semantics: a profiled
//! run executes exactly the steps [`Machine::run`] would.

use std::collections::HashMap;

use crate::{Exit, Machine, Syscalls, VmError};

/// A function symbol of the guest: `[start, start + size)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Symbol {
    /// Its first instruction's address.
    pub start: u32,
    /// Its size in bytes.
    pub size: u32,
    /// Its (mangled) name.
    pub name: String,
}

const SHT_SYMTAB: u32 = 2;
const STT_FUNC: u8 = 2;
const SHDR_SIZE: usize = 40;
const SYM_SIZE: usize = 16;

fn u16_at(file: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(file.get(at..at.checked_add(2)?)?.try_into().ok()?))
}

fn u32_at(file: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(file.get(at..at.checked_add(4)?)?.try_into().ok()?))
}

/// The sized function symbols of an ELF32 file's symbol table, sorted by address: empty when it
/// has none (a stripped binary) or its section headers do not parse.
pub fn function_symbols(file: &[u8]) -> Vec<Symbol> {
    parse_symbols(file).unwrap_or_default()
}

fn parse_symbols(file: &[u8]) -> Option<Vec<Symbol>> {
    let shoff = u32_at(file, 32)? as usize;
    let shentsize = u16_at(file, 46)? as usize;
    let shnum = u16_at(file, 48)? as usize;
    if shentsize < SHDR_SIZE {
        return None;
    }
    let section = |i: usize| shoff.checked_add(i.checked_mul(shentsize)?);
    let mut out = Vec::new();
    for i in 0..shnum {
        let at = section(i)?;
        if u32_at(file, at + 4)? != SHT_SYMTAB {
            continue;
        }
        let (offset, size, link) = (
            u32_at(file, at + 16)? as usize,
            u32_at(file, at + 20)? as usize,
            u32_at(file, at + 24)? as usize,
        );
        let strtab = section(link)?;
        let (str_off, str_size) = (u32_at(file, strtab + 16)? as usize, u32_at(file, strtab + 20)? as usize);
        let strings = file.get(str_off..str_off.checked_add(str_size)?)?;
        let symbols = file.get(offset..offset.checked_add(size)?)?;
        for sym in symbols.chunks_exact(SYM_SIZE) {
            let (name, value, size, info) =
                (u32_at(sym, 0)? as usize, u32_at(sym, 4)?, u32_at(sym, 8)?, sym[12]);
            if info & 0xf != STT_FUNC || size == 0 {
                continue;
            }
            let name = strings.get(name..)?;
            let end = name.iter().position(|b| *b == 0).unwrap_or(name.len());
            out.push(Symbol { start: value, size, name: String::from_utf8_lossy(&name[..end]).into_owned() });
        }
    }
    out.sort_by_key(|s| s.start);
    Some(out)
}

/// A mangled Rust name (legacy or v0) as a path without its hash; other names as they are.
pub fn demangle(name: &str) -> String {
    format!("{:#}", rustc_demangle::demangle(name))
}

/// The name of the function of `symbols` (sorted by address) holding `pc`, or `"?"`.
fn symbol_at(symbols: &[Symbol], pc: u32) -> &str {
    let i = symbols.partition_point(|s| s.start <= pc);
    match i.checked_sub(1).map(|i| &symbols[i]) {
        Some(s) if pc < s.start.saturating_add(s.size) => s.name.as_str(),
        _ => "?",
    }
}

/// Steps counted per instruction address, and calls per (callee, call site).
#[derive(Debug, Clone, Default)]
pub struct Profile {
    /// Steps that executed the instruction at each address.
    pub counts: HashMap<u32, u64>,
    /// Calls (a `jal` or `jalr` that links `ra`) per (target, address of the call).
    pub calls: HashMap<(u32, u32), u64>,
}

impl Profile {
    /// Runs `machine` as [`Machine::run`] does, counting each step at its address.
    pub fn run<S: Syscalls + ?Sized>(
        machine: &mut Machine,
        sys: &mut S,
        max_steps: u64,
    ) -> (Self, Result<Exit, VmError>) {
        let mut profile = Self::default();
        for _ in 0..max_steps {
            if let Some(code) = machine.exit_code() {
                return (profile, Ok(Exit { code, steps: machine.steps() }));
            }
            let pc = machine.pc();
            let links = matches!(
                crate::decode(machine.memory().load_u32(pc)),
                Some(crate::Instr::Jal { rd: 1, .. } | crate::Instr::Jalr { rd: 1, .. })
            );
            if let Err(e) = machine.step(sys) {
                return (profile, Err(e));
            }
            *profile.counts.entry(pc).or_default() += 1;
            if links {
                *profile.calls.entry((machine.pc(), pc)).or_default() += 1;
            }
        }
        let result = match machine.exit_code() {
            Some(code) => Ok(Exit { code, steps: machine.steps() }),
            None => Err(VmError::StepLimit { steps: machine.steps() }),
        };
        (profile, result)
    }

    /// How many times the function starting at `start` was entered (its first instruction's
    /// count: a loop back to it would count too, which compiled code rarely does).
    pub fn calls(&self, start: u32) -> u64 {
        self.counts.get(&start).copied().unwrap_or(0)
    }

    /// Who calls the function starting at `start`: calls per calling function of `symbols`
    /// (sorted by address), most first.
    pub fn callers<'a>(&self, start: u32, symbols: &'a [Symbol]) -> Vec<(&'a str, u64)> {
        let mut per: HashMap<&str, u64> = HashMap::new();
        for (&(target, site), &n) in &self.calls {
            if target == start {
                *per.entry(symbol_at(symbols, site)).or_default() += n;
            }
        }
        let mut out: Vec<_> = per.into_iter().collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        out
    }

    /// Steps per function of `symbols` (sorted by address), most first; steps outside every
    /// symbol are counted under `"?"`.
    pub fn by_function<'a>(&self, symbols: &'a [Symbol]) -> Vec<(&'a str, u64)> {
        let mut per: HashMap<&str, u64> = HashMap::new();
        for (&pc, &n) in &self.counts {
            *per.entry(symbol_at(symbols, pc)).or_default() += n;
        }
        let mut out: Vec<_> = per.into_iter().collect();
        out.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{LinuxSyscalls, asm};

    #[test]
    fn a_profiled_run_counts_every_step_once() {
        // addi a0, zero, 3; loop: addi a0, a0, -1; bnez a0, loop; li a7, 93; ecall
        let program = [
            asm::addi(10, 0, 3),
            asm::addi(10, 10, -1),
            asm::bne(10, 0, -4),
            asm::addi(17, 0, 93),
            asm::ECALL,
        ];
        let mut m = Machine::new(0x1000);
        for (i, word) in program.iter().enumerate() {
            m.memory_mut().store_u32(0x1000 + 4 * i as u32, *word).unwrap();
        }
        let mut reference = m.clone();
        let (profile, exit) = Profile::run(&mut m, &mut LinuxSyscalls::default(), 100);
        let exit = exit.unwrap();
        assert_eq!(exit, reference.run(&mut LinuxSyscalls::default(), 100).unwrap());
        assert_eq!(profile.counts.values().sum::<u64>(), exit.steps);
        assert_eq!(profile.counts[&0x1004], 3);
        assert_eq!(profile.calls(0x100c), 1);
        let symbols = [
            Symbol { start: 0x1000, size: 12, name: "count".into() },
            Symbol { start: 0x100c, size: 4, name: "quit".into() },
        ];
        assert!(profile.calls.is_empty(), "no jal links ra in this program");
        // Ties by name.
        assert_eq!(profile.by_function(&symbols), vec![("count", 7), ("?", 1), ("quit", 1)]);
    }

    #[test]
    fn calls_are_counted_by_caller() {
        // main: jal ra, f; li a7, 93; ecall. f: li a0, 0; ret.
        let program =
            [asm::jal(1, 12), asm::addi(17, 0, 93), asm::ECALL, asm::addi(10, 0, 0), asm::jalr(0, 1, 0)];
        let mut m = Machine::new(0x1000);
        for (i, word) in program.iter().enumerate() {
            m.memory_mut().store_u32(0x1000 + 4 * i as u32, *word).unwrap();
        }
        let (profile, exit) = Profile::run(&mut m, &mut LinuxSyscalls::default(), 100);
        assert_eq!(exit.unwrap().steps, 5);
        let symbols = [
            Symbol { start: 0x1000, size: 12, name: "main".into() },
            Symbol { start: 0x100c, size: 8, name: "f".into() },
        ];
        assert_eq!(profile.calls(0x100c), 1);
        assert_eq!(profile.callers(0x100c, &symbols), vec![("main", 1)]);
        // The return does not link ra: it is no call.
        assert_eq!(profile.calls.len(), 1);
    }

    #[test]
    fn mangled_names_demangle_to_paths() {
        assert_eq!(demangle("_ZN4core3fmt5write17h0123456789abcdefE"), "core::fmt::write");
        assert_eq!(demangle("_RNvNtCs9lMGBBb9FMr_4sha39block_api9xor_block"), "sha3::block_api::xor_block");
        assert_eq!(demangle("memcpy"), "memcpy");
    }
}
