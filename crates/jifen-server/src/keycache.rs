//! A short-lived cache of API keys, so a request does not read the key and its program from the
//! database every time. Entries live [`TTL`]: a key revoked or a policy changed on another node
//! takes effect within that time; on this node, at once (the cache is invalidated).

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use jifen_store::Program;

/// How long a looked-up key is trusted.
pub const TTL: Duration = Duration::from_secs(2);
/// Most keys kept; past this the cache starts over.
const MAX_KEYS: usize = 10_000;

/// Who a key speaks for: a program, or a partner of it.
#[derive(Debug, Clone)]
pub struct Principal {
    pub program: Program,
    pub partner_id: Option<String>,
    /// The key's id and name (or the operator, for the console's calls).
    pub actor: crate::actor::Actor,
}

#[derive(Default)]
pub struct KeyCache {
    entries: RwLock<HashMap<String, (Arc<Principal>, Instant)>>,
}

impl KeyCache {
    /// The program (and partner) of a key hash, if looked up less than [`TTL`] ago.
    pub fn get(&self, hash: &str) -> Option<Arc<Principal>> {
        let entries = self.entries.read().unwrap_or_else(|e| e.into_inner());
        entries
            .get(hash)
            .filter(|(_, at)| at.elapsed() < TTL)
            .map(|(p, _)| p.clone())
    }

    pub fn put(&self, hash: String, program: Arc<Principal>) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        if entries.len() >= MAX_KEYS {
            entries.clear();
        }
        entries.insert(hash, (program, Instant::now()));
    }

    /// Forgets every key of a program (after its policy changed or a key was revoked).
    pub fn forget_program(&self, program_id: &str) {
        let mut entries = self.entries.write().unwrap_or_else(|e| e.into_inner());
        entries.retain(|_, (p, _)| p.program.id != program_id);
    }
}
