//! Where a blob's field elements sit: the evaluation points of EIP-4844's blob polynomial.
//!
//! A blob is 4096 field elements of BLS12-381's scalar field, and element `i` is the blob
//! polynomial's value at `ω^bitrev(i)`, where `ω` is the field's primitive 4096th root of unity
//! (`7^((r − 1) / 4096)`) and `bitrev` reverses the 12 bits of `i` (the consensus specs'
//! `bit_reversal_permutation(compute_roots_of_unity(4096))`). A blob key names an element by its
//! commitment and point `z` ([`crate::PreimageKey::blob`]), so whoever reads element `i` by key
//! needs `z_i`. [`point`] computes one; [`Points`] walks them in order at one field multiplication
//! each, which is what the fault-proof program does as it reads a batch element by element.
//!
//! The arithmetic is Montgomery multiplication over four 64-bit limbs: the field is used for
//! nothing else, so a bignum crate would be a dependency for twenty lines.

/// Field elements in a blob.
pub const ELEMENTS_PER_BLOB: usize = 4096;

/// Bytes in a blob: 4096 big-endian 32-byte field elements.
pub const BYTES_PER_BLOB: usize = ELEMENTS_PER_BLOB * 32;

/// An element of the scalar field in Montgomery form (`x · 2^256 mod r`), little-endian limbs.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
struct Fr([u64; 4]);

/// The modulus `r`, little-endian limbs.
const R: [u64; 4] =
    [0xffff_ffff_0000_0001, 0x53bd_a402_fffe_5bfe, 0x3339_d808_09a1_d805, 0x73ed_a753_299d_7d48];
/// `−r⁻¹ mod 2^64`.
const R_INV_NEG: u64 = 0xffff_fffe_ffff_ffff;
/// `2^512 mod r`: multiplying by it enters Montgomery form.
const R2: [u64; 4] =
    [0xc999_e990_f3f2_9c6d, 0x2b6c_edcb_8792_5c23, 0x05d3_1496_7254_398f, 0x0748_d9d9_9f59_ff11];
/// `ω = 7^((r − 1) / 4096) mod r`, the primitive 4096th root of unity.
const OMEGA: [u64; 4] =
    [0xe206_da11_a5d3_6306, 0x0ad1_347b_378f_bf96, 0xfc3e_8acf_e0f8_245f, 0x564c_0a11_a0f7_04f4];
/// 1 in Montgomery form (`2^256 mod r`).
const ONE: Fr =
    Fr([0x0000_0001_ffff_fffe, 0x5884_b7fa_0003_4802, 0x998c_4fef_ecbc_4ff5, 0x1824_b159_acc5_056f]);
/// `ω^(3 · 2^(11 − t))` for `t = 0..12`, in Montgomery form: [`Points`]' steps, as constants so
/// that starting a walk costs nothing (computing them is some 300 multiplications, which the
/// fault-proof program would pay per blob). A test recomputes them.
const STEPS: [Fr; 12] = [
    Fr([0xffff_fffd_0000_0003, 0xfb38_ec08_fffb_13fc, 0x99ad_8818_1ce5_880f, 0x5bc8_f5f9_7cd8_77d8]),
    Fr([0x0c4f_a98a_5576_3050, 0x4c8e_a2c2_9ff7_a200, 0x649f_ca48_e43b_5ddf, 0x26c0_c34d_fc43_f9d3]),
    Fr([0x111f_9842_3eb2_a8dd, 0x1f77_2784_6f38_b840, 0xb287_58a3_8e3c_a13c, 0x5974_f9f7_ed9a_48f0]),
    Fr([0x5fb4_0c77_45c0_9c96, 0xfff5_9b78_8b8b_1b1b, 0x023b_a68b_6b7e_ed47, 0x4e17_f66f_76f3_e130]),
    Fr([0x96cd_1566_990a_ff36, 0x9337_ea75_1b08_59c1, 0x073a_9292_40b9_e32e, 0x5793_7ba2_b1dd_bd82]),
    Fr([0xab4b_ad7f_72af_5438, 0x7cd6_7a2e_019e_0c56, 0xf64e_bb38_9053_4fcf, 0x4cb0_1420_1b33_1c3d]),
    Fr([0x3a38_7dad_61f9_569c, 0xf767_c719_ecca_156e, 0xb697_d2f2_ee5c_2cf2, 0x5650_7f66_3100_c8c1]),
    Fr([0xd37f_cf33_af14_bf09, 0x2bf1_a1fb_d491_0262, 0x439b_3ad5_fb96_3b25, 0x361f_439f_85e1_1f47]),
    Fr([0x1c3b_99a5_c680_82d7, 0x6740_e335_994f_0823, 0xac76_27d7_fee1_656c, 0x10f8_0cec_cdf5_327c]),
    Fr([0x2ee0_685b_9192_b5b7, 0x9e26_9327_5d04_5f2a, 0x9bd4_002e_8fda_a8c0, 0x2a97_2ce9_8106_8fc9]),
    Fr([0xeaee_8bca_3a44_583d, 0x072d_5186_bb1b_680e, 0x9caa_b45e_1799_0b44, 0x1e17_ddd6_067d_02a4]),
    Fr([0x2160_884f_5c43_27bc, 0xbd9c_630d_d9e2_956d, 0x3d0a_1f9c_1e82_f121, 0x51e8_fbdf_d9a4_2580]),
];

impl Fr {
    /// `a · b · 2^-256 mod r` (CIOS), for inputs below `r`.
    fn mont_mul(a: &[u64; 4], b: &[u64; 4]) -> [u64; 4] {
        let mut t = [0u64; 6];
        for &bi in b {
            let mut carry = 0u128;
            for j in 0..4 {
                let v = t[j] as u128 + a[j] as u128 * bi as u128 + carry;
                t[j] = v as u64;
                carry = v >> 64;
            }
            let v = t[4] as u128 + carry;
            t[4] = v as u64;
            t[5] = (v >> 64) as u64;
            let m = t[0].wrapping_mul(R_INV_NEG);
            let mut carry = (t[0] as u128 + m as u128 * R[0] as u128) >> 64;
            for j in 1..4 {
                let v = t[j] as u128 + m as u128 * R[j] as u128 + carry;
                t[j - 1] = v as u64;
                carry = v >> 64;
            }
            let v = t[4] as u128 + carry;
            t[3] = v as u64;
            t[4] = t[5] + (v >> 64) as u64;
        }
        let mut out = [t[0], t[1], t[2], t[3]];
        if t[4] != 0 || !lt(&out, &R) {
            let mut borrow = 0i128;
            for j in 0..4 {
                let v = out[j] as i128 - R[j] as i128 + borrow;
                out[j] = v as u64;
                borrow = v >> 64;
            }
        }
        out
    }

    fn from_limbs(x: [u64; 4]) -> Self {
        Self(Self::mont_mul(&x, &R2))
    }

    fn one() -> Self {
        ONE
    }

    fn mul(self, other: Self) -> Self {
        Self(Self::mont_mul(&self.0, &other.0))
    }

    fn pow(self, mut e: u32) -> Self {
        let (mut acc, mut base) = (Self::one(), self);
        while e > 0 {
            if e & 1 == 1 {
                acc = acc.mul(base);
            }
            base = base.mul(base);
            e >>= 1;
        }
        acc
    }

    /// Out of Montgomery form, as 32 big-endian bytes.
    fn to_be_bytes(self) -> [u8; 32] {
        let x = Self::mont_mul(&self.0, &[1, 0, 0, 0]);
        let mut out = [0u8; 32];
        for (i, limb) in x.iter().enumerate() {
            out[32 - 8 * (i + 1)..32 - 8 * i].copy_from_slice(&limb.to_be_bytes());
        }
        out
    }
}

fn lt(a: &[u64; 4], b: &[u64; 4]) -> bool {
    for j in (0..4).rev() {
        if a[j] != b[j] {
            return a[j] < b[j];
        }
    }
    false
}

/// The 12-bit reversal of `i`.
const fn bitrev(i: usize) -> u32 {
    ((i as u32) << 20).reverse_bits()
}

/// `z_i = ω^bitrev(i)`, big-endian: the point at which element `i` (below 4096) of a blob is the
/// blob polynomial's value. Up to 24 field multiplications; [`Points`] walks them at one each.
pub fn point(i: usize) -> [u8; 32] {
    Fr::from_limbs(OMEGA).pow(bitrev(i % ELEMENTS_PER_BLOB)).to_be_bytes()
}

/// The points `z_0, z_1, …, z_4095` in order, one field multiplication each: going from `i` to
/// `i + 1` clears `i`'s `t` trailing ones and sets the next bit, which moves `bitrev(i)` by
/// `3 · 2^(11 − t)` modulo 4096, so `z_{i+1} = z_i · ω^(3 · 2^(11 − t))`.
#[derive(Clone, Debug)]
pub struct Points {
    next: usize,
    z: Fr,
}

impl Default for Points {
    fn default() -> Self {
        Self::new()
    }
}

impl Points {
    /// From `z_0 = 1`.
    pub const fn new() -> Self {
        Self { next: 0, z: ONE }
    }
}

impl Iterator for Points {
    type Item = [u8; 32];

    fn next(&mut self) -> Option<[u8; 32]> {
        if self.next >= ELEMENTS_PER_BLOB {
            return None;
        }
        let out = self.z.to_be_bytes();
        let t = self.next.trailing_ones() as usize;
        if t < 12 {
            self.z = self.z.mul(STEPS[t]);
        }
        self.next += 1;
        Some(out)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = ELEMENTS_PER_BLOB - self.next;
        (left, Some(left))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::BLS_MODULUS;

    fn hex32(s: &str) -> [u8; 32] {
        let mut out = [0u8; 32];
        let digits = s.trim_start_matches("0x");
        let padded = alloc::format!("{digits:0>64}");
        for (i, byte) in out.iter_mut().enumerate() {
            *byte = u8::from_str_radix(&padded[2 * i..2 * i + 2], 16).unwrap_or_default();
        }
        out
    }

    #[test]
    fn omega_is_a_primitive_4096th_root_of_unity() {
        let omega = Fr::from_limbs(OMEGA);
        assert_eq!(omega.pow(4096), Fr::one());
        assert_ne!(omega.pow(2048), Fr::one());
        // ω^2048 = −1 = r − 1.
        let mut minus_one = BLS_MODULUS;
        minus_one[31] -= 1;
        assert_eq!(omega.pow(2048).to_be_bytes(), minus_one);
    }

    #[test]
    fn the_constants_are_what_they_say() {
        assert_eq!(ONE, Fr::from_limbs([1, 0, 0, 0]));
        let omega = Fr::from_limbs(OMEGA);
        for (t, step) in STEPS.iter().enumerate() {
            assert_eq!(*step, omega.pow(3 << (11 - t)), "step {t}");
        }
    }

    #[test]
    fn omega_is_seven_to_the_cofactor() {
        // (r − 1) / 4096 = (r − 1) >> 12, raised by square-and-multiply over its bits.
        let mut e = R;
        e[0] -= 1;
        let e = [e[0] >> 12 | e[1] << 52, e[1] >> 12 | e[2] << 52, e[2] >> 12 | e[3] << 52, e[3] >> 12];
        let seven = Fr::from_limbs([7, 0, 0, 0]);
        let mut acc = Fr::one();
        for bit in (0..256).rev() {
            acc = acc.mul(acc);
            if e[bit / 64] >> (bit % 64) & 1 == 1 {
                acc = acc.mul(seven);
            }
        }
        assert_eq!(acc, Fr::from_limbs(OMEGA));
    }

    #[test]
    fn known_points_of_the_consensus_specs() {
        // roots_of_unity_brp[0..4] and [4095] (computed with Python's pow over the spec's rule).
        assert_eq!(point(0), hex32("1"));
        assert_eq!(point(1), hex32("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000000"));
        assert_eq!(point(2), hex32("8d51ccce760304d0ec030002760300000001000000000000"));
        assert_eq!(point(3), hex32("73eda753299d7d47a5e80b39939ed33467baa40089fb5bfefffeffff00000001"));
        assert_eq!(point(4095), hex32("391b2856c609b4784ae25ffab9dc59865046d17864183203961a252dd8543362"));
    }

    #[test]
    fn the_walk_gives_every_point_and_each_once() {
        let walked: alloc::vec::Vec<[u8; 32]> = Points::new().collect();
        assert_eq!(walked.len(), ELEMENTS_PER_BLOB);
        for (i, z) in walked.iter().enumerate() {
            assert_eq!(*z, point(i), "point {i}");
            assert!(*z < BLS_MODULUS);
        }
        let mut sorted = walked.clone();
        sorted.sort();
        sorted.dedup();
        assert_eq!(sorted.len(), ELEMENTS_PER_BLOB);
    }

    #[test]
    fn montgomery_multiplication_matches_schoolbook_on_small_values() {
        for (a, b) in [(3u64, 5u64), (u64::MAX, 2), (1 << 40, 1 << 40), (0, 9)] {
            let product = Fr::from_limbs([a, 0, 0, 0]).mul(Fr::from_limbs([b, 0, 0, 0]));
            let wide = a as u128 * b as u128;
            assert_eq!(product, Fr::from_limbs([wide as u64, (wide >> 64) as u64, 0, 0]));
        }
    }
}
