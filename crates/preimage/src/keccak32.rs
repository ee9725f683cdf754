//! Keccak-256 for a 32-bit machine: the fault-proof guest's hash.
//!
//! The program's steps are mostly keccak (docs/performance.md, "Where the steps go"): every header,
//! transaction signing hash, queue link and preimage key is one. RustCrypto's portable
//! `keccak_p` works on 64-bit lanes, which an rv32im machine emulates with pairs of 32-bit
//! operations and spills: about 33,600 instructions a permutation. This one keeps each lane
//! bit-interleaved (its even bits in one 32-bit word, its odd bits in another; the Keccak team's
//! technique for 32-bit processors), so a 64-bit rotation is two 32-bit rotations and every other
//! step works on words. The result is the same function: the tests compare it with `sha3` on
//! random inputs of every length around the rate.

/// Bytes absorbed per permutation (Keccak-256's rate).
const RATE: usize = 136;

/// The round constants, bit-interleaved: (even bits, odd bits).
const RC: [(u32, u32); 24] = {
    const RC64: [u64; 24] = [
        0x0000_0000_0000_0001,
        0x0000_0000_0000_8082,
        0x8000_0000_0000_808a,
        0x8000_0000_8000_8000,
        0x0000_0000_0000_808b,
        0x0000_0000_8000_0001,
        0x8000_0000_8000_8081,
        0x8000_0000_0000_8009,
        0x0000_0000_0000_008a,
        0x0000_0000_0000_0088,
        0x0000_0000_8000_8009,
        0x0000_0000_8000_000a,
        0x0000_0000_8000_808b,
        0x8000_0000_0000_008b,
        0x8000_0000_0000_8089,
        0x8000_0000_0000_8003,
        0x8000_0000_0000_8002,
        0x8000_0000_0000_0080,
        0x0000_0000_0000_800a,
        0x8000_0000_8000_000a,
        0x8000_0000_8000_8081,
        0x8000_0000_0000_8080,
        0x0000_0000_8000_0001,
        0x8000_0000_8000_8008,
    ];
    let mut out = [(0, 0); 24];
    let mut i = 0;
    while i < 24 {
        out[i] = interleave(RC64[i]);
        i += 1;
    }
    out
};

/// Moves the even bits of `x` to its low half and the odd bits to its high half.
const fn unzip(mut x: u32) -> u32 {
    let mut t = (x ^ (x >> 1)) & 0x2222_2222;
    x ^= t ^ (t << 1);
    t = (x ^ (x >> 2)) & 0x0c0c_0c0c;
    x ^= t ^ (t << 2);
    t = (x ^ (x >> 4)) & 0x00f0_00f0;
    x ^= t ^ (t << 4);
    t = (x ^ (x >> 8)) & 0x0000_ff00;
    x ^= t ^ (t << 8);
    x
}

/// The inverse of [`unzip`].
const fn zip(mut x: u32) -> u32 {
    let mut t = (x ^ (x >> 8)) & 0x0000_ff00;
    x ^= t ^ (t << 8);
    t = (x ^ (x >> 4)) & 0x00f0_00f0;
    x ^= t ^ (t << 4);
    t = (x ^ (x >> 2)) & 0x0c0c_0c0c;
    x ^= t ^ (t << 2);
    t = (x ^ (x >> 1)) & 0x2222_2222;
    x ^= t ^ (t << 1);
    x
}

/// A 64-bit lane as (even bits, odd bits).
const fn interleave(lane: u64) -> (u32, u32) {
    let (lo, hi) = (unzip(lane as u32), unzip((lane >> 32) as u32));
    ((lo & 0xffff) | (hi << 16), (lo >> 16) | (hi & 0xffff_0000))
}

/// The inverse of [`interleave`].
const fn deinterleave(even: u32, odd: u32) -> u64 {
    let lo = zip((even & 0xffff) | (odd << 16));
    let hi = zip((even >> 16) | (odd & 0xffff_0000));
    lo as u64 | (hi as u64) << 32
}

/// Keccak-f[1600] over interleaved lanes, each round written out with constant indices and
/// rotations (generated from the specification's ρ and π tables), so that nothing is looked up
/// or branched on at run time: θ, ρ and π, χ, ι. A rotation of a lane by `2k` is a rotation of
/// both halves by `k`; by `2k + 1`, the halves swap and rotate by `k + 1` and `k`.
fn permute(e: &mut [u32; 25], o: &mut [u32; 25]) {
    for &(rc_e, rc_o) in &RC {
        let c0e = e[0] ^ e[5] ^ e[10] ^ e[15] ^ e[20];
        let c0o = o[0] ^ o[5] ^ o[10] ^ o[15] ^ o[20];
        let c1e = e[1] ^ e[6] ^ e[11] ^ e[16] ^ e[21];
        let c1o = o[1] ^ o[6] ^ o[11] ^ o[16] ^ o[21];
        let c2e = e[2] ^ e[7] ^ e[12] ^ e[17] ^ e[22];
        let c2o = o[2] ^ o[7] ^ o[12] ^ o[17] ^ o[22];
        let c3e = e[3] ^ e[8] ^ e[13] ^ e[18] ^ e[23];
        let c3o = o[3] ^ o[8] ^ o[13] ^ o[18] ^ o[23];
        let c4e = e[4] ^ e[9] ^ e[14] ^ e[19] ^ e[24];
        let c4o = o[4] ^ o[9] ^ o[14] ^ o[19] ^ o[24];
        let d0e = c4e ^ c1o.rotate_left(1);
        let d0o = c4o ^ c1e;
        let d1e = c0e ^ c2o.rotate_left(1);
        let d1o = c0o ^ c2e;
        let d2e = c1e ^ c3o.rotate_left(1);
        let d2o = c1o ^ c3e;
        let d3e = c2e ^ c4o.rotate_left(1);
        let d3o = c2o ^ c4e;
        let d4e = c3e ^ c0o.rotate_left(1);
        let d4o = c3o ^ c0e;
        let b0e = e[0] ^ d0e;
        let b0o = o[0] ^ d0o;
        let b10e = (o[1] ^ d1o).rotate_left(1);
        let b10o = e[1] ^ d1e;
        let b20e = (e[2] ^ d2e).rotate_left(31);
        let b20o = (o[2] ^ d2o).rotate_left(31);
        let b5e = (e[3] ^ d3e).rotate_left(14);
        let b5o = (o[3] ^ d3o).rotate_left(14);
        let b15e = (o[4] ^ d4o).rotate_left(14);
        let b15o = (e[4] ^ d4e).rotate_left(13);
        let b16e = (e[5] ^ d0e).rotate_left(18);
        let b16o = (o[5] ^ d0o).rotate_left(18);
        let b1e = (e[6] ^ d1e).rotate_left(22);
        let b1o = (o[6] ^ d1o).rotate_left(22);
        let b11e = (e[7] ^ d2e).rotate_left(3);
        let b11o = (o[7] ^ d2o).rotate_left(3);
        let b21e = (o[8] ^ d3o).rotate_left(28);
        let b21o = (e[8] ^ d3e).rotate_left(27);
        let b6e = (e[9] ^ d4e).rotate_left(10);
        let b6o = (o[9] ^ d4o).rotate_left(10);
        let b7e = (o[10] ^ d0o).rotate_left(2);
        let b7o = (e[10] ^ d0e).rotate_left(1);
        let b17e = (e[11] ^ d1e).rotate_left(5);
        let b17o = (o[11] ^ d1o).rotate_left(5);
        let b2e = (o[12] ^ d2o).rotate_left(22);
        let b2o = (e[12] ^ d2e).rotate_left(21);
        let b12e = (o[13] ^ d3o).rotate_left(13);
        let b12o = (e[13] ^ d3e).rotate_left(12);
        let b22e = (o[14] ^ d4o).rotate_left(20);
        let b22o = (e[14] ^ d4e).rotate_left(19);
        let b23e = (o[15] ^ d0o).rotate_left(21);
        let b23o = (e[15] ^ d0e).rotate_left(20);
        let b8e = (o[16] ^ d1o).rotate_left(23);
        let b8o = (e[16] ^ d1e).rotate_left(22);
        let b18e = (o[17] ^ d2o).rotate_left(8);
        let b18o = (e[17] ^ d2e).rotate_left(7);
        let b3e = (o[18] ^ d3o).rotate_left(11);
        let b3o = (e[18] ^ d3e).rotate_left(10);
        let b13e = (e[19] ^ d4e).rotate_left(4);
        let b13o = (o[19] ^ d4o).rotate_left(4);
        let b14e = (e[20] ^ d0e).rotate_left(9);
        let b14o = (o[20] ^ d0o).rotate_left(9);
        let b24e = (e[21] ^ d1e).rotate_left(1);
        let b24o = (o[21] ^ d1o).rotate_left(1);
        let b9e = (o[22] ^ d2o).rotate_left(31);
        let b9o = (e[22] ^ d2e).rotate_left(30);
        let b19e = (e[23] ^ d3e).rotate_left(28);
        let b19o = (o[23] ^ d3o).rotate_left(28);
        let b4e = (e[24] ^ d4e).rotate_left(7);
        let b4o = (o[24] ^ d4o).rotate_left(7);
        e[0] = b0e ^ (!b1e & b2e);
        o[0] = b0o ^ (!b1o & b2o);
        e[1] = b1e ^ (!b2e & b3e);
        o[1] = b1o ^ (!b2o & b3o);
        e[2] = b2e ^ (!b3e & b4e);
        o[2] = b2o ^ (!b3o & b4o);
        e[3] = b3e ^ (!b4e & b0e);
        o[3] = b3o ^ (!b4o & b0o);
        e[4] = b4e ^ (!b0e & b1e);
        o[4] = b4o ^ (!b0o & b1o);
        e[5] = b5e ^ (!b6e & b7e);
        o[5] = b5o ^ (!b6o & b7o);
        e[6] = b6e ^ (!b7e & b8e);
        o[6] = b6o ^ (!b7o & b8o);
        e[7] = b7e ^ (!b8e & b9e);
        o[7] = b7o ^ (!b8o & b9o);
        e[8] = b8e ^ (!b9e & b5e);
        o[8] = b8o ^ (!b9o & b5o);
        e[9] = b9e ^ (!b5e & b6e);
        o[9] = b9o ^ (!b5o & b6o);
        e[10] = b10e ^ (!b11e & b12e);
        o[10] = b10o ^ (!b11o & b12o);
        e[11] = b11e ^ (!b12e & b13e);
        o[11] = b11o ^ (!b12o & b13o);
        e[12] = b12e ^ (!b13e & b14e);
        o[12] = b12o ^ (!b13o & b14o);
        e[13] = b13e ^ (!b14e & b10e);
        o[13] = b13o ^ (!b14o & b10o);
        e[14] = b14e ^ (!b10e & b11e);
        o[14] = b14o ^ (!b10o & b11o);
        e[15] = b15e ^ (!b16e & b17e);
        o[15] = b15o ^ (!b16o & b17o);
        e[16] = b16e ^ (!b17e & b18e);
        o[16] = b16o ^ (!b17o & b18o);
        e[17] = b17e ^ (!b18e & b19e);
        o[17] = b17o ^ (!b18o & b19o);
        e[18] = b18e ^ (!b19e & b15e);
        o[18] = b18o ^ (!b19o & b15o);
        e[19] = b19e ^ (!b15e & b16e);
        o[19] = b19o ^ (!b15o & b16o);
        e[20] = b20e ^ (!b21e & b22e);
        o[20] = b20o ^ (!b21o & b22o);
        e[21] = b21e ^ (!b22e & b23e);
        o[21] = b21o ^ (!b22o & b23o);
        e[22] = b22e ^ (!b23e & b24e);
        o[22] = b22o ^ (!b23o & b24o);
        e[23] = b23e ^ (!b24e & b20e);
        o[23] = b23o ^ (!b24o & b20o);
        e[24] = b24e ^ (!b20e & b21e);
        o[24] = b24o ^ (!b20o & b21o);
        e[0] ^= rc_e;
        o[0] ^= rc_o;
    }
}

/// XORs one 136-byte block into the state.
fn absorb(e: &mut [u32; 25], o: &mut [u32; 25], block: &[u8; RATE]) {
    for (i, lane) in block.chunks_exact(8).enumerate() {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(lane);
        let (le, lo) = interleave(u64::from_le_bytes(bytes));
        e[i] ^= le;
        o[i] ^= lo;
    }
}

/// Keccak-256 of `data` (Ethereum's, with the original 0x01 padding).
pub fn keccak256(data: &[u8]) -> [u8; 32] {
    let (mut e, mut o) = ([0u32; 25], [0u32; 25]);
    let mut blocks = data.chunks_exact(RATE);
    for block in &mut blocks {
        let mut b = [0u8; RATE];
        b.copy_from_slice(block);
        absorb(&mut e, &mut o, &b);
        permute(&mut e, &mut o);
    }
    let rest = blocks.remainder();
    let mut last = [0u8; RATE];
    last[..rest.len()].copy_from_slice(rest);
    last[rest.len()] ^= 0x01;
    last[RATE - 1] ^= 0x80;
    absorb(&mut e, &mut o, &last);
    permute(&mut e, &mut o);
    let mut out = [0u8; 32];
    for i in 0..4 {
        out[8 * i..8 * i + 8].copy_from_slice(&deinterleave(e[i], o[i]).to_le_bytes());
    }
    out
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;
    use sha3::{Digest, Keccak256};

    use super::*;

    fn reference(data: &[u8]) -> [u8; 32] {
        Keccak256::digest(data).into()
    }

    #[test]
    fn interleaving_is_a_bijection_on_bits() {
        for lane in [0u64, 1, 2, 3, u64::MAX, 0x8000_0000_0000_0000, 0x0123_4567_89ab_cdef] {
            let (e, o) = interleave(lane);
            for bit in 0..64 {
                let word = if bit % 2 == 0 { e } else { o };
                assert_eq!(lane >> bit & 1, u64::from(word >> (bit / 2) & 1), "lane {lane:#x} bit {bit}");
            }
            assert_eq!(deinterleave(e, o), lane);
        }
    }

    /// A 64-bit rotation left by `n` of an interleaved lane (what `permute` writes out).
    fn rol(even: u32, odd: u32, n: u32) -> (u32, u32) {
        if n.is_multiple_of(2) {
            (even.rotate_left(n / 2), odd.rotate_left(n / 2))
        } else {
            (odd.rotate_left(n / 2 + 1), even.rotate_left(n / 2))
        }
    }

    #[test]
    fn rotations_match_64_bit_ones() {
        let lane = 0x0123_4567_89ab_cdefu64;
        let (e, o) = interleave(lane);
        for n in 0..64 {
            let (re, ro) = rol(e, o, n);
            assert_eq!(deinterleave(re, ro), lane.rotate_left(n), "by {n}");
        }
    }

    #[test]
    fn known_answers() {
        assert_eq!(keccak256(b""), reference(b""));
        // keccak256("") = c5d2…a470.
        assert_eq!(keccak256(b"")[..4], [0xc5, 0xd2, 0x46, 0x01]);
        for len in [1, 31, 32, 135, 136, 137, 271, 272, 273, 1000] {
            let data: alloc::vec::Vec<u8> = (0..len).map(|i| (i * 7 + 3) as u8).collect();
            assert_eq!(keccak256(&data), reference(&data), "length {len}");
        }
    }

    proptest! {
        #[test]
        fn it_is_keccak256(data in proptest::collection::vec(any::<u8>(), 0..700)) {
            prop_assert_eq!(keccak256(&data), reference(&data));
        }
    }
}
