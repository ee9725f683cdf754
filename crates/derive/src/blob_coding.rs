//! How a blob batch's bytes sit in its blobs: one rule for the node, which holds whole blobs, and
//! the fault-proof program, which reads field elements one at a time by key.
//!
//! The batcher codes a batch with alloy's `SimpleCoder`: a header element whose bytes 1..9 are the
//! length `L` (big-endian), then `⌈L / 31⌉` elements carrying 31 bytes each in bytes 1..32 (byte
//! 0 stays zero, so every element is below the field's modulus). [`decode_blob_payload`] is the
//! decoding that derivation applies: the header must give `L ≥ 1` and the blobs must hold all
//! `⌈L / 31⌉` elements; byte 0 of each element and every element after the payload are ignored.
//! A payload is thus read from the elements it spans and nothing else, which is what lets the
//! program read a small batch in a few hundred oracle reads instead of 4,096 a blob. (Alloy's
//! own `decode_all` also looks at every other element of every blob; a rule that depends on
//! elements the payload does not span would cost the program all of them.)

use alloc::vec::Vec;

/// Field elements in a blob.
pub const ELEMENTS_PER_BLOB: usize = 4096;

/// Payload bytes an element carries (bytes 1..32).
pub const BYTES_PER_ELEMENT: usize = 31;

/// The payload of blobs holding `elements` field elements in all, read through `element(i)`,
/// which is called for `i = 0, 1, 2, …` in order and only for the header and the elements the
/// payload spans. `Ok(None)`: the blobs hold no payload (unreadable; derivation skips the batch).
pub fn decode_blob_payload<E>(
    elements: usize,
    mut element: impl FnMut(usize) -> Result<[u8; 32], E>,
) -> Result<Option<Vec<u8>>, E> {
    if elements == 0 {
        return Ok(None);
    }
    let header = element(0)?;
    let mut len_bytes = [0u8; 8];
    len_bytes.copy_from_slice(&header[1..9]);
    let len = u64::from_be_bytes(len_bytes);
    // A length the blobs cannot hold is refused before anything is allocated for it.
    let capacity = (elements as u64 - 1).saturating_mul(BYTES_PER_ELEMENT as u64);
    if len == 0 || len > capacity {
        return Ok(None);
    }
    let len = len as usize;
    let mut out = Vec::with_capacity(len);
    for i in 1..=len.div_ceil(BYTES_PER_ELEMENT) {
        let take = (len - out.len()).min(BYTES_PER_ELEMENT);
        out.extend_from_slice(&element(i)?[1..1 + take]);
    }
    Ok(Some(out))
}

#[cfg(test)]
mod tests {
    use core::convert::Infallible;

    use super::*;

    fn elements(header: u64, data: &[u8], total: usize) -> Vec<[u8; 32]> {
        let mut out = vec![[0u8; 32]; total];
        out[0][1..9].copy_from_slice(&header.to_be_bytes());
        for (i, chunk) in data.chunks(BYTES_PER_ELEMENT).enumerate() {
            out[1 + i][1..1 + chunk.len()].copy_from_slice(chunk);
        }
        out
    }

    fn decode(els: &[[u8; 32]]) -> (Option<Vec<u8>>, Vec<usize>) {
        let mut read = Vec::new();
        let out = decode_blob_payload(els.len(), |i| {
            read.push(i);
            Ok::<_, Infallible>(els[i])
        })
        .unwrap();
        (out, read)
    }

    #[test]
    fn a_payload_is_read_from_the_elements_it_spans_alone() {
        let data: Vec<u8> = (0..70u8).collect();
        let mut els = elements(70, &data, 4096);
        // Byte 0s and what follows the payload are not the payload's.
        els[1][0] = 0x3f;
        els[5][1..9].copy_from_slice(&9u64.to_be_bytes());
        let (out, read) = decode(&els);
        assert_eq!(out, Some(data));
        assert_eq!(read, vec![0, 1, 2, 3]);
    }

    #[test]
    fn no_length_or_one_the_blobs_cannot_hold_is_unreadable() {
        assert_eq!(decode(&elements(0, &[], 4096)).0, None);
        let full = vec![1u8; 4095 * 31];
        assert_eq!(decode(&elements(full.len() as u64, &full, 4096)).0, Some(full.clone()));
        let (out, read) = decode(&elements(full.len() as u64 + 1, &full, 4096));
        assert_eq!((out, read), (None, vec![0]));
        assert_eq!(decode(&elements(u64::MAX, &[], 4096)).0, None);
        assert_eq!(decode(&[]).0, None);
    }

    #[test]
    fn a_read_error_is_passed_on() {
        let els = elements(40, &[5; 40], 4096);
        let out = decode_blob_payload(els.len(), |i| if i == 2 { Err("gone") } else { Ok(els[i]) });
        assert_eq!(out, Err("gone"));
    }
}
