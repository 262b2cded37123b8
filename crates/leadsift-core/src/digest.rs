//! A file's identity: the SHA-256 of its bytes as read, fed in chunks of any size. A run
//! records it; the browser uses it to resume an import of the same file after a reload.

use sha2::{Digest, Sha256};

/// The SHA-256 of a file, computed as its chunks go by.
#[derive(Debug, Clone, Default)]
pub struct FileDigest(Sha256);

impl FileDigest {
    pub fn new() -> FileDigest {
        FileDigest::default()
    }

    /// Adds the next chunk of the file.
    pub fn update(&mut self, chunk: &[u8]) {
        self.0.update(chunk);
    }

    /// The digest as 64 lower-case hex digits.
    pub fn finish(self) -> String {
        crate::text::hex(&self.0.finalize())
    }
}

#[cfg(test)]
mod tests {
    use super::FileDigest;

    #[test]
    fn chunks_of_any_size_give_the_digest_of_the_whole() {
        let bytes: Vec<u8> = (0..10_000u32).map(|i| (i * 7 % 251) as u8).collect();
        let mut whole = FileDigest::new();
        whole.update(&bytes);
        let whole = whole.finish();
        for size in [1, 7, 4096] {
            let mut d = FileDigest::new();
            bytes.chunks(size).for_each(|c| d.update(c));
            assert_eq!(d.finish(), whole);
        }
        // The empty file's SHA-256, as every tool prints it.
        assert_eq!(
            FileDigest::new().finish(),
            "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
        );
        assert_eq!(whole.len(), 64);
    }
}
