//! Media files of the channels, on disk under one root: `<root>/<company>/<account>/<file>`.
//! The database keeps each file's path relative to the root, its size and content type.

use std::io;
use std::path::{Component, Path, PathBuf};

use rand::RngCore;

#[derive(Debug, Clone)]
pub struct MediaStore {
    root: PathBuf,
}

/// Keeps letters, digits, dots, dashes and underscores of a sender's file name, so a
/// name can never leave its folder or confuse a shell; at most 80 characters.
fn safe_name(filename: &str) -> String {
    let cleaned: String = filename
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    let cleaned = cleaned.trim_start_matches('.');
    if cleaned.is_empty() {
        "file".into()
    } else {
        cleaned.into()
    }
}

impl MediaStore {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        MediaStore { root: root.into() }
    }

    pub fn root(&self) -> &Path {
        &self.root
    }

    fn account_dir(company_id: i64, account_id: i64) -> PathBuf {
        PathBuf::from(company_id.to_string()).join(account_id.to_string())
    }

    /// Where a stored relative path lives; `None` for a path that would leave the root.
    pub fn resolve(&self, relative: &str) -> Option<PathBuf> {
        let path = Path::new(relative);
        path.components()
            .all(|c| matches!(c, Component::Normal(_)))
            .then(|| self.root.join(path))
    }

    /// Writes a new file for the account and returns its path relative to the root.
    pub async fn write(
        &self,
        company_id: i64,
        account_id: i64,
        filename: &str,
        bytes: &[u8],
    ) -> io::Result<String> {
        let dir = Self::account_dir(company_id, account_id);
        tokio::fs::create_dir_all(self.root.join(&dir)).await?;
        let mut unique = [0u8; 8];
        rand::thread_rng().fill_bytes(&mut unique);
        let relative = dir.join(format!("{}-{}", hex::encode(unique), safe_name(filename)));
        tokio::fs::write(self.root.join(&relative), bytes).await?;
        Ok(relative.to_string_lossy().into_owned())
    }

    /// Removes a file; one that is already gone counts as removed.
    pub async fn remove(&self, relative: &str) -> io::Result<()> {
        let Some(path) = self.resolve(relative) else {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("refusing to remove {relative:?}: outside the media folder"),
            ));
        };
        match tokio::fs::remove_file(path).await {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    }

    /// Removes the account's folder once its files are gone (a folder still holding
    /// something is left alone).
    pub async fn remove_account_dir(&self, company_id: i64, account_id: i64) {
        let dir = self.root.join(Self::account_dir(company_id, account_id));
        let _ = tokio::fs::remove_dir(dir).await;
    }
}

impl Default for MediaStore {
    fn default() -> Self {
        MediaStore::new("data/media")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sender_file_names_cannot_leave_their_folder() {
        assert_eq!(safe_name("photo.jpg"), "photo.jpg");
        assert_eq!(safe_name("../../etc/passwd"), "_.._etc_passwd");
        assert_eq!(safe_name("...hidden"), "hidden");
        assert_eq!(safe_name("fotografía 1.png"), "fotograf_a_1.png");
        assert_eq!(safe_name(""), "file");
        assert_eq!(safe_name(&"a".repeat(200)).len(), 80);
    }

    #[tokio::test]
    async fn files_are_written_under_company_and_account_and_removed() {
        let root = std::env::temp_dir().join(format!("aurora-media-{}", std::process::id()));
        let store = MediaStore::new(&root);
        let relative = store.write(3, 9, "note.txt", b"hello").await.unwrap();
        assert!(relative.starts_with("3/9/"), "{relative}");
        let path = store.resolve(&relative).unwrap();
        assert_eq!(tokio::fs::read(&path).await.unwrap(), b"hello");
        store.remove(&relative).await.unwrap();
        store.remove(&relative).await.unwrap();
        assert!(!path.exists());
        store.remove_account_dir(3, 9).await;
        assert!(!root.join("3/9").exists());
        assert!(store.remove("../outside").await.is_err());
        assert!(store.resolve("/etc/passwd").is_none());
        let _ = tokio::fs::remove_dir_all(&root).await;
    }
}
