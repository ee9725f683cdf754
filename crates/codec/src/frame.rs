//! One zstd frame, decompressed with bounded output and memory.
//!
//! The frame's structure (header, block headers, checksum, where it ends) is walked here first,
//! against RFC 8878; `ruzstd` then decodes the block contents. Walking first lets the limits that
//! bound memory (window, declared content size) and the structural rules be checked before
//! anything is allocated, and pins down the cases where zstd decoders differ (see [`decompress`]).

use alloc::{
    string::{String, ToString},
    vec::Vec,
};

use ruzstd::decoding::{
    BlockDecodingStrategy, FrameDecoder,
    errors::{ExecuteSequencesError, FrameDecoderError},
};

/// Magic number of a zstd frame (RFC 8878 §3.1.1).
const MAGIC: u32 = 0xFD2F_B528;
/// Skippable frames use magic numbers `0x184D2A50..=0x184D2A5F` (RFC 8878 §3.1.2).
const SKIPPABLE_MASK: u32 = 0xFFFF_FFF0;
const SKIPPABLE_MAGIC: u32 = 0x184D_2A50;
/// Block_Maximum_Size is the smaller of the window and this (RFC 8878 §3.1.1.2.3).
const MAX_BLOCK_SIZE: u64 = 128 * 1024;
/// Output decoded between two checks of the limit. A call can overshoot by one block (at most
/// 128 KiB), so the decoder never holds more than `limit + STEP + 128 KiB` of output whatever the
/// frame claims.
const STEP: usize = 1 << 20;

/// Why bytes are not an acceptable zstd frame.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum FrameError {
    /// The input ends inside the frame.
    #[error("frame truncated: {needed} bytes needed at offset {offset}")]
    Truncated {
        /// Where more bytes were needed.
        offset: usize,
        /// How many.
        needed: usize,
    },
    /// A skippable frame (libzstd skips it; a batch has no room for one).
    #[error("skippable frame (magic {magic:#010x}) where a zstd frame is expected")]
    SkippableFrame {
        /// The magic number read.
        magic: u32,
    },
    /// Not a zstd frame.
    #[error("bad zstd magic number {magic:#010x}")]
    BadMagic {
        /// The magic number read.
        magic: u32,
    },
    /// The frame header descriptor's reserved bit is set.
    #[error("reserved bit set in the frame header")]
    ReservedBit,
    /// The frame needs a dictionary (batches have none).
    #[error("frame needs dictionary {id}")]
    Dictionary {
        /// Dictionary id.
        id: u32,
    },
    /// The declared window is larger than the limit.
    #[error("window of {window} bytes exceeds {limit}")]
    WindowTooLarge {
        /// Declared window size.
        window: u64,
        /// Limit.
        limit: u64,
    },
    /// The declared content size is larger than the limit.
    #[error("declared content size {declared} exceeds {limit}")]
    ContentSizeTooLarge {
        /// Declared Frame_Content_Size.
        declared: u64,
        /// Limit.
        limit: usize,
    },
    /// A block of the reserved type 3.
    #[error("reserved block type at offset {offset}")]
    ReservedBlockType {
        /// Offset of the block header in the frame.
        offset: usize,
    },
    /// A block larger than Block_Maximum_Size (the smaller of the window and 128 KiB).
    #[error("block of {size} bytes at offset {offset} exceeds {limit}")]
    BlockTooLarge {
        /// Offset of the block header in the frame.
        offset: usize,
        /// Block_Size from the header.
        size: u64,
        /// Block_Maximum_Size.
        limit: u64,
    },
    /// A compressed block whose section headers break a rule (RFC 8878 §3.1.1.3).
    #[error("compressed block at offset {offset}: {rule}")]
    BadBlock {
        /// Offset of the block header in the frame.
        offset: usize,
        /// The rule broken.
        rule: BlockRule,
    },
    /// Bytes after the frame (a second frame included).
    #[error("{count} bytes after the zstd frame")]
    TrailingBytes {
        /// How many.
        count: usize,
    },
    /// A block's content does not decode.
    #[error("corrupt block ({section:?}): {reason}")]
    Corrupt {
        /// Where `ruzstd` stopped.
        section: Section,
        /// `ruzstd`'s message.
        reason: String,
    },
    /// Decompresses to more than the limit.
    #[error("decompresses to more than {limit} bytes")]
    OutputTooLarge {
        /// Limit.
        limit: usize,
    },
    /// Decompresses to another size than the header declares.
    #[error("frame declares {declared} bytes but decompresses to {actual}")]
    ContentSizeMismatch {
        /// Declared Frame_Content_Size.
        declared: u64,
        /// Bytes decoded.
        actual: u64,
    },
    /// The content checksum does not match.
    #[error("content checksum {stored:#010x} does not match {computed:#010x}")]
    Checksum {
        /// Checksum stored in the frame.
        stored: u32,
        /// Checksum of the decoded bytes.
        computed: u32,
    },
}

/// A rule of a compressed block's section headers (RFC 8878 §3.1.1.3), checked before decoding.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum BlockRule {
    /// The literals section runs past the block.
    #[error("literals section runs past the block")]
    LiteralsOverrun,
    /// The block ends before its sequences section header.
    #[error("no sequences section header")]
    NoSequencesHeader,
    /// The reserved bits of Symbol_Compression_Modes are not zero.
    #[error("reserved bits set in the symbol compression modes")]
    ReservedModeBits,
    /// Bytes after a sequences section of zero sequences.
    #[error("data after an empty sequences section")]
    DataAfterNoSequences,
}

/// Where in a block `ruzstd` found it corrupt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// The literals section (its header, Huffman table or streams).
    Literals,
    /// The sequences section (its header, FSE tables or bitstream).
    Sequences,
    /// Executing the sequences (an offset before the start of the output, say).
    Execution,
    /// The block decodes to more than Block_Maximum_Size.
    BlockSize,
    /// Anywhere else.
    Other,
}

impl Section {
    fn of(e: &FrameDecoderError) -> Self {
        use ruzstd::decoding::errors::{DecodeBlockContentError as Content, DecompressBlockError as Block};
        let FrameDecoderError::FailedToReadBlockBody(Content::DecompressBlockError(e)) = e else {
            return Section::Other;
        };
        match e {
            Block::DecompressLiteralsError(_) | Block::LiteralsSectionParseError(_) => Section::Literals,
            Block::SequencesHeaderParseError(_) | Block::DecodeSequenceError(_) => Section::Sequences,
            Block::DecompressedSizeTooLarge { .. }
            | Block::ExecuteSequencesError(ExecuteSequencesError::TooManyBytesGenerated { .. }) => {
                Section::BlockSize
            }
            Block::ExecuteSequencesError(_) => Section::Execution,
            _ => Section::Other,
        }
    }
}

/// What the frame header says.
struct Header {
    /// Bytes of the header (magic included).
    len: usize,
    window: u64,
    content_size: Option<u64>,
    checksum: bool,
}

fn take(bytes: &[u8], offset: usize, n: usize) -> Result<&[u8], FrameError> {
    bytes.get(offset..offset.saturating_add(n)).ok_or(FrameError::Truncated { offset, needed: n })
}

fn le(bytes: &[u8]) -> u64 {
    bytes.iter().rev().fold(0, |acc, &b| acc << 8 | u64::from(b))
}

/// RFC 8878 §3.1.1.1.
fn header(frame: &[u8]) -> Result<Header, FrameError> {
    let magic = le(take(frame, 0, 4)?) as u32;
    if magic & SKIPPABLE_MASK == SKIPPABLE_MAGIC {
        return Err(FrameError::SkippableFrame { magic });
    }
    if magic != MAGIC {
        return Err(FrameError::BadMagic { magic });
    }
    let descriptor = take(frame, 4, 1)?[0];
    let fcs_flag = descriptor >> 6;
    let single_segment = descriptor & 0x20 != 0;
    // Bit 4 is unused and ignored, as the RFC asks; bit 3 is reserved and must be zero.
    if descriptor & 0x08 != 0 {
        return Err(FrameError::ReservedBit);
    }
    let checksum = descriptor & 0x04 != 0;
    let dict_len = [0, 1, 2, 4][usize::from(descriptor & 0x03)];
    let fcs_len = match fcs_flag {
        0 if single_segment => 1,
        0 => 0,
        1 => 2,
        2 => 4,
        _ => 8,
    };
    let mut at = 5;
    let window_descriptor = if single_segment {
        None
    } else {
        at += 1;
        Some(take(frame, 5, 1)?[0])
    };
    let dict = le(take(frame, at, dict_len)?) as u32;
    at += dict_len;
    // A present but zero Dictionary_ID means "no dictionary" (libzstd reads it so too).
    if dict != 0 {
        return Err(FrameError::Dictionary { id: dict });
    }
    let content_size = match fcs_len {
        0 => None,
        // The 2-byte form is offset by 256.
        2 => Some(le(take(frame, at, 2)?) + 256),
        n => Some(le(take(frame, at, n)?)),
    };
    at += fcs_len;
    let window = match (window_descriptor, content_size) {
        (Some(wd), _) => {
            let log = 10 + u64::from(wd >> 3);
            let base = 1u64 << log;
            base + (base / 8) * u64::from(wd & 7)
        }
        // Single segment: the window is the whole content.
        (None, size) => size.unwrap_or(0),
    };
    Ok(Header { len: at, window, content_size, checksum })
}

/// Walks the blocks from the end of the header, checking each block's type and size, and returns
/// the frame's length (checksum included).
fn frame_len(frame: &[u8], header: &Header) -> Result<usize, FrameError> {
    let max_block = header.window.min(MAX_BLOCK_SIZE);
    let mut at = header.len;
    loop {
        let raw = le(take(frame, at, 3)?);
        let last = raw & 1 != 0;
        let kind = (raw >> 1) & 3;
        let size = raw >> 3;
        // Block_Size is the content size of raw and compressed blocks, and the decoded size of
        // RLE blocks (whose content is one byte); Block_Maximum_Size bounds all three.
        let content = match kind {
            0 | 2 => size,
            1 => 1,
            _ => return Err(FrameError::ReservedBlockType { offset: at }),
        };
        if size > max_block {
            return Err(FrameError::BlockTooLarge { offset: at, size, limit: max_block });
        }
        let body = take(frame, at + 3, content as usize)?;
        if kind == 2 {
            check_compressed_block(body).map_err(|rule| FrameError::BadBlock { offset: at, rule })?;
        }
        at += 3 + content as usize;
        if last {
            break;
        }
    }
    if header.checksum {
        take(frame, at, 4)?;
        at += 4;
    }
    Ok(at)
}

/// The section headers of a compressed block: the rules libzstd checks there and ruzstd does
/// not (the reserved mode bits, nothing after zero sequences), so that no frame libzstd refuses
/// for them decodes here.
fn check_compressed_block(body: &[u8]) -> Result<(), BlockRule> {
    let byte = |i: usize| body.get(i).copied().map(u64::from);
    let b0 = byte(0).ok_or(BlockRule::LiteralsOverrun)?;
    let (kind, size_format) = (b0 & 3, (b0 >> 2) & 3);
    // Literals_Section_Header: its length, then the bytes of literals that follow it.
    let le_n = |n: usize| -> Result<u64, BlockRule> {
        (0..n).rev().try_fold(0, |acc, i| Ok(acc << 8 | byte(i).ok_or(BlockRule::LiteralsOverrun)?))
    };
    let (header, literals) = match (kind, size_format) {
        // Raw (0) and RLE (1): Regenerated_Size on 5, 12 or 20 bits; RLE stores one byte.
        (0 | 1, 0 | 2) => (1, b0 >> 3),
        (0 | 1, 1) => (2, le_n(2)? >> 4),
        (0 | 1, _) => (3, le_n(3)? >> 4),
        // Compressed (2) and treeless (3): Compressed_Size after Regenerated_Size.
        (_, 0 | 1) => (3, (le_n(3)? >> 14) & 0x3ff),
        (_, 2) => (4, (le_n(4)? >> 18) & 0x3fff),
        (_, _) => (5, (le_n(5)? >> 22) & 0x3_ffff),
    };
    let literals = if kind == 1 { 1 } else { literals };
    let seq = header + literals as usize;
    if seq > body.len() {
        return Err(BlockRule::LiteralsOverrun);
    }
    // Sequences_Section_Header: Number_of_Sequences on 1 to 3 bytes, then the modes byte.
    let n0 = byte(seq).ok_or(BlockRule::NoSequencesHeader)?;
    let (count, len) = match n0 {
        0..=127 => (n0, 1),
        128..=254 => (((n0 - 128) << 8) + byte(seq + 1).ok_or(BlockRule::NoSequencesHeader)?, 2),
        _ => {
            let lo = byte(seq + 1).ok_or(BlockRule::NoSequencesHeader)?;
            let hi = byte(seq + 2).ok_or(BlockRule::NoSequencesHeader)?;
            (lo + (hi << 8) + 0x7f00, 3)
        }
    };
    if count == 0 {
        return if seq + len == body.len() { Ok(()) } else { Err(BlockRule::DataAfterNoSequences) };
    }
    let modes = byte(seq + len).ok_or(BlockRule::NoSequencesHeader)?;
    if modes & 3 != 0 {
        return Err(BlockRule::ReservedModeBits);
    }
    Ok(())
}

/// Decompresses `frame`, which must be exactly one zstd frame, to at most `limit` bytes.
///
/// The frame is valid when it follows RFC 8878 and:
/// - it is one standard frame and nothing else: no skippable frame, no second frame, no
///   trailing byte;
/// - it needs no dictionary (a Dictionary_ID, if present, is 0);
/// - its Window_Size is at most `limit`;
/// - every block, of any type, is at most Block_Maximum_Size (the smaller of the window and
///   128 KiB), before and after decoding;
/// - in every compressed block, the reserved bits of Symbol_Compression_Modes are zero and
///   nothing follows a sequences section of zero sequences;
/// - `ruzstd` decodes it, to at most `limit` bytes, to exactly Frame_Content_Size when the
///   header gives one, and to bytes matching the content checksum when the header has one.
///
/// Where libzstd's one-shot `ZSTD_decompressDCtx` (what `zstd::bulk::decompress` calls) differs:
/// it also accepts skippable and concatenated frames, windows above `limit` (up to 2³¹ and a
/// fraction), blocks above Block_Maximum_Size (raw or RLE by their header, or compressed once
/// decoded), and (in its fast 64-bit Huffman loop) literal streams whose bits do not end exactly;
/// `ruzstd` 0.9.1 checks only the total count of four Huffman streams, not each stream's share,
/// and accepts some FSE-compressed Huffman weight tables libzstd refuses. No zstd compressor writes any of these; `docs/batches.md` has the
/// measured rates. The node and the fault-proof program both run this function, so its behaviour
/// is the definition.
pub fn decompress(frame: &[u8], limit: usize) -> Result<Vec<u8>, FrameError> {
    let header = header(frame)?;
    if let Some(declared) = header.content_size
        && declared > limit as u64
    {
        return Err(FrameError::ContentSizeTooLarge { declared, limit });
    }
    if header.window > limit as u64 {
        return Err(FrameError::WindowTooLarge { window: header.window, limit: limit as u64 });
    }
    let len = frame_len(frame, &header)?;
    if len < frame.len() {
        return Err(FrameError::TrailingBytes { count: frame.len() - len });
    }

    let corrupt =
        |e: FrameDecoderError| FrameError::Corrupt { section: Section::of(&e), reason: e.to_string() };
    let mut decoder = FrameDecoder::new();
    // Already checked above; repeated so ruzstd's own allocation is bounded by the same number.
    decoder.set_max_window_size(limit as u64);
    let mut source = frame;
    decoder.reset(&mut source).map_err(corrupt)?;
    // Output stays in the decoder until the frame ends: a match may then reach back to the first
    // byte, as in libzstd's one-shot decoding, whatever the window says.
    loop {
        let finished =
            decoder.decode_blocks(&mut source, BlockDecodingStrategy::UptoBytes(STEP)).map_err(corrupt)?;
        if finished {
            break;
        }
        // Until the end ruzstd reports only what lies beyond the window; the window fits the limit.
        let beyond_window = decoder.can_collect();
        if beyond_window > 0 && beyond_window as u64 + header.window > limit as u64 {
            return Err(FrameError::OutputTooLarge { limit });
        }
    }
    let out = decoder.collect().unwrap_or_default();
    if out.len() > limit {
        return Err(FrameError::OutputTooLarge { limit });
    }
    if let Some(declared) = header.content_size
        && declared != out.len() as u64
    {
        return Err(FrameError::ContentSizeMismatch { declared, actual: out.len() as u64 });
    }
    // The low 32 bits of XXH64 (seed 0) of the content. Hashed here, only for frames that carry a
    // checksum, rather than by ruzstd on every frame (batches have none).
    if let Some(stored) = decoder.get_checksum_from_data() {
        let computed = twox_hash::XxHash64::oneshot(0, &out) as u32;
        if stored != computed {
            return Err(FrameError::Checksum { stored, computed });
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use alloc::vec;

    use super::*;

    /// A frame of raw blocks, built by hand: single segment with a 4-byte content size.
    fn raw_frame(blocks: &[&[u8]], declared: Option<u32>, checksum: Option<u32>) -> Vec<u8> {
        let mut f = MAGIC.to_le_bytes().to_vec();
        let mut fhd = 0u8;
        if declared.is_some() {
            fhd |= 2 << 6 | 0x20;
        }
        if checksum.is_some() {
            fhd |= 0x04;
        }
        f.push(fhd);
        if let Some(size) = declared {
            f.extend(size.to_le_bytes());
        } else {
            f.push(0x30); // window 2^(10+6) = 64 KiB
        }
        for (i, b) in blocks.iter().enumerate() {
            let last = u32::from(i + 1 == blocks.len());
            f.extend(&(last | (b.len() as u32) << 3).to_le_bytes()[..3]);
            f.extend_from_slice(b);
        }
        if let Some(c) = checksum {
            f.extend(c.to_le_bytes());
        }
        f
    }

    #[test]
    fn raw_blocks_decode() {
        let f = raw_frame(&[b"hello ", b"world"], Some(11), None);
        assert_eq!(decompress(&f, 100).unwrap(), b"hello world");
        let f = raw_frame(&[b"abc"], None, None);
        assert_eq!(decompress(&f, 1 << 20).unwrap(), b"abc");
    }

    #[test]
    fn refusals() {
        let good = raw_frame(&[b"abc"], Some(3), None);
        assert_eq!(decompress(&[], 10), Err(FrameError::Truncated { offset: 0, needed: 4 }));
        assert_eq!(
            decompress(&good[..good.len() - 1], 10),
            Err(FrameError::Truncated { offset: 12, needed: 3 })
        );
        let mut trailing = good.clone();
        trailing.extend_from_slice(&good);
        assert_eq!(decompress(&trailing, 10), Err(FrameError::TrailingBytes { count: good.len() }));
        let mut skippable = 0x184D_2A53u32.to_le_bytes().to_vec();
        skippable.extend([0; 4]);
        assert_eq!(decompress(&skippable, 10), Err(FrameError::SkippableFrame { magic: 0x184D_2A53 }));
        assert_eq!(decompress(&[1, 2, 3, 4], 10), Err(FrameError::BadMagic { magic: 0x0403_0201 }));
        let mut reserved = good.clone();
        reserved[4] |= 0x08;
        assert_eq!(decompress(&reserved, 10), Err(FrameError::ReservedBit));
        assert_eq!(
            decompress(&raw_frame(&[b"abc"], Some(2), None), 10),
            Err(FrameError::BlockTooLarge { offset: 9, size: 3, limit: 2 })
        );
        assert_eq!(
            decompress(&raw_frame(&[b"ab", b"c"], Some(2), None), 10),
            Err(FrameError::ContentSizeMismatch { declared: 2, actual: 3 })
        );
        assert_eq!(
            decompress(&raw_frame(&[b"abc"], Some(3), None), 2),
            Err(FrameError::ContentSizeTooLarge { declared: 3, limit: 2 })
        );
        assert_eq!(
            decompress(&raw_frame(&[b"abc"], None, None), 1024),
            Err(FrameError::WindowTooLarge { window: 65536, limit: 1024 })
        );
        assert!(matches!(
            decompress(&raw_frame(&[b"abc"], Some(3), Some(7)), 10),
            Err(FrameError::Checksum { stored: 7, .. })
        ));
    }

    /// A compressed block of raw literals: `body` is the literals section and what follows it.
    fn compressed_frame(body: &[u8]) -> Vec<u8> {
        let mut f = MAGIC.to_le_bytes().to_vec();
        f.extend([0x00, 0x30]); // no content size, 64 KiB window
        f.extend(&(1 | 2 << 1 | (body.len() as u32) << 3).to_le_bytes()[..3]);
        f.extend_from_slice(body);
        f
    }

    #[test]
    fn compressed_block_section_rules() {
        // Literals "abc" (raw, 1-byte header), then zero sequences: valid.
        let ok = [3 << 3, b'a', b'b', b'c', 0];
        assert_eq!(decompress(&compressed_frame(&ok), 1 << 20).unwrap(), b"abc");
        let bad = |body: &[u8], rule| {
            assert_eq!(
                decompress(&compressed_frame(body), 1 << 20),
                Err(FrameError::BadBlock { offset: 6, rule })
            )
        };
        bad(&[3 << 3, b'a', b'b', b'c', 0, 0], BlockRule::DataAfterNoSequences);
        bad(&[3 << 3, b'a', b'b', b'c', 1, 0x01, 0, 0], BlockRule::ReservedModeBits);
        bad(&[3 << 3, b'a', b'b', b'c'], BlockRule::NoSequencesHeader);
        bad(&[9 << 3, b'a'], BlockRule::LiteralsOverrun);
    }

    #[test]
    fn output_is_bounded_whatever_the_frame_claims() {
        // 64 KiB window, no declared size, raw blocks of 60 KiB: the limit stops the output.
        let block = vec![7u8; 60 * 1024];
        let blocks: Vec<&[u8]> = (0..40).map(|_| block.as_slice()).collect();
        let f = raw_frame(&blocks, None, None);
        assert_eq!(decompress(&f, 2 << 20), Err(FrameError::OutputTooLarge { limit: 2 << 20 }));
        assert_eq!(decompress(&f, 40 * 60 * 1024).unwrap().len(), 40 * 60 * 1024);
    }
}
