//! The tile parsers on the same input: `tiles::parse_path` (canonical paths only, so a parsed
//! path is written back identically), `tiles::decode_bundle` (re-encodes identically) and
//! `ExpandedTile::new` (every node of an accepted tile can be looked up).
#![no_main]

use std::sync::Arc;

use libfuzzer_sys::fuzz_target;
use shoumi_ledger::merkle::NodeSource;
use shoumi_ledger::tiles::{self, ExpandedTile, TilePath, TileSet};

fuzz_target!(|data: &[u8]| {
    if let Ok(rest) = std::str::from_utf8(data) {
        match tiles::parse_path(rest) {
            Ok(TilePath::Hashes(t)) => assert_eq!(t.path(), format!("tile/{rest}")),
            Ok(TilePath::Entries { index, width }) => {
                assert_eq!(tiles::entries_path(index, width), format!("tile/{rest}"))
            }
            Err(_) => {}
        }
    }
    if let Ok(entries) = tiles::decode_bundle(data) {
        assert_eq!(tiles::encode_bundle(entries), data);
    }
    if let Ok(t) = ExpandedTile::new(data) {
        assert_eq!(t.bottom().concat(), data);
        let width = t.width() as u64;
        let mut set = TileSet::default();
        set.insert(1, 3, Arc::new(t));
        for r in 0..8u8 {
            for i in 0..(width >> r) + 1 {
                // Tile (1, 3) holds the level 8 + r nodes from (3 · 256) >> r on.
                let _ = set.node(8 + r, ((3 * 256) >> r) + i);
            }
        }
    }
});
