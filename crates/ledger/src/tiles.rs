//! C2SP tlog-tiles: tile coordinates and paths, entry bundles, a [`NodeSource`] over fetched
//! tiles, and the right edge of the tree that integration appends to.
//!
//! A tile at level `L`, index `N` holds up to 256 consecutive hashes of tree level `8·L`: the
//! hashes `256·N ..` at that level. Only the bottom row is stored or served; the hashes between
//! tile levels are recomputed from it.

use std::collections::HashMap;
use std::sync::Arc;

use crate::merkle::{Hash, MissingNode, NodeSource, node_hash, perfect_root, range_hash};

/// Tile height (levels of the tree per tile) and width (hashes in a full tile).
pub const HEIGHT: u8 = 8;
pub const WIDTH: u64 = 256;

/// A tile or an entry bundle, with its width (1..=256; 256 is a full tile).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct TileId {
    pub level: u8,
    pub index: u64,
    pub width: u16,
}

/// Which resource a tile path names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TilePath {
    Hashes(TileId),
    Entries { index: u64, width: u16 },
}

impl TileId {
    /// The tile at `level`, `index` as it is in a tree of `size` entries, or `None` when the
    /// tree has no hash in it yet.
    pub fn at(level: u8, index: u64, size: u64) -> Option<TileId> {
        let count = level_count(level, size);
        let first = index.checked_mul(WIDTH)?;
        if count <= first {
            return None;
        }
        let width = (count - first).min(WIDTH) as u16;
        Some(TileId {
            level,
            index,
            width,
        })
    }

    pub fn is_full(&self) -> bool {
        u64::from(self.width) == WIDTH
    }

    /// `tile/<L>/<N>[.p/<W>]`
    pub fn path(&self) -> String {
        format!(
            "tile/{}/{}{}",
            self.level,
            index_path(self.index),
            partial(self.width)
        )
    }
}

/// `tile/entries/<N>[.p/<W>]`
pub fn entries_path(index: u64, width: u16) -> String {
    format!("tile/entries/{}{}", index_path(index), partial(width))
}

fn partial(width: u16) -> String {
    if u64::from(width) == WIDTH {
        String::new()
    } else {
        format!(".p/{width}")
    }
}

/// How many hashes the tree of `size` has at tile level `level` (tree level 8·level).
pub fn level_count(level: u8, size: u64) -> u64 {
    let shift = u32::from(level) * u32::from(HEIGHT);
    if shift >= 64 { 0 } else { size >> shift }
}

/// N in 3-digit groups, all but the last prefixed `x`: 1234067 → `x001/x234/067`.
pub fn index_path(n: u64) -> String {
    let mut groups = vec![format!("{:03}", n % 1000)];
    let mut rest = n / 1000;
    while rest > 0 {
        groups.push(format!("x{:03}", rest % 1000));
        rest /= 1000;
    }
    groups.reverse();
    groups.join("/")
}

/// Parses the part of a tile path after `tile/`: `<L>/<N>[.p/<W>]` or `entries/<N>[.p/<W>]`.
pub fn parse_path(rest: &str) -> Result<TilePath, String> {
    let bad = || format!("not a tile path: tile/{rest}");
    let (head, tail) = rest.split_once('/').ok_or_else(bad)?;
    let (n_part, width) = match tail.split_once(".p/") {
        Some((n, w)) => {
            let w: u16 = parse_decimal(w)
                .ok_or_else(bad)?
                .try_into()
                .map_err(|_| bad())?;
            if w == 0 || u64::from(w) >= WIDTH {
                return Err(bad());
            }
            (n, w)
        }
        None => (tail, WIDTH as u16),
    };
    let parts: Vec<&str> = n_part.split('/').collect();
    let mut n: u64 = 0;
    for (i, p) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let digits = if last {
            *p
        } else {
            p.strip_prefix('x').ok_or_else(bad)?
        };
        if digits.len() != 3 || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return Err(bad());
        }
        n = n
            .checked_mul(1000)
            .and_then(|n| n.checked_add(digits.parse::<u64>().ok()?))
            .ok_or_else(bad)?;
    }
    // The canonical spelling only (no `x000/` padding), so every tile has one path.
    if index_path(n) != n_part {
        return Err(bad());
    }
    if head == "entries" {
        return Ok(TilePath::Entries { index: n, width });
    }
    let level: u8 = parse_decimal(head)
        .ok_or_else(bad)?
        .try_into()
        .map_err(|_| bad())?;
    if level > 7 {
        return Err(bad());
    }
    Ok(TilePath::Hashes(TileId {
        level,
        index: n,
        width,
    }))
}

fn parse_decimal(s: &str) -> Option<u64> {
    if s.is_empty() || (s.len() > 1 && s.starts_with('0')) || !s.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    s.parse().ok()
}

/// Entries as an entry bundle: each a big-endian uint16 length and the entry.
pub fn encode_bundle<'a>(entries: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
    let mut out = Vec::new();
    for e in entries {
        out.extend_from_slice(&(e.len() as u16).to_be_bytes());
        out.extend_from_slice(e);
    }
    out
}

/// Splits an entry bundle; `Err` names the byte offset where it stops making sense.
pub fn decode_bundle(mut data: &[u8]) -> Result<Vec<&[u8]>, String> {
    let total = data.len();
    let mut out = Vec::new();
    while !data.is_empty() {
        let at = total - data.len();
        if data.len() < 2 {
            return Err(format!(
                "entry bundle: a length prefix is cut short at byte {at}"
            ));
        }
        let n = usize::from(u16::from_be_bytes([data[0], data[1]]));
        if data.len() < 2 + n {
            return Err(format!(
                "entry bundle: the entry at byte {at} claims {n} bytes, {} remain",
                data.len() - 2
            ));
        }
        out.push(&data[2..2 + n]);
        data = &data[2 + n..];
    }
    Ok(out)
}

/// The row of a tile that [`ExpandedTile`] keeps (16 nodes of 16 hashes each in a full tile):
/// nodes below it are recomputed from the bottom row (at most 7 hashes), nodes above it from it.
pub const MID_ROW: u8 = 4;

/// A tile's hashes arranged so that any node of the tile is cheap: the bottom row, and every
/// complete node from [`MID_ROW`] up. Built from the bottom row alone it costs ~255 node
/// hashes; from the bottom row and a remembered mid row ([`ExpandedTile::mid`]) 15.
#[derive(Debug)]
pub struct ExpandedTile {
    /// The bottom row, or a window of it starting at `bottom_start` (see
    /// [`ExpandedTile::from_group`]).
    bottom: Vec<Hash>,
    bottom_start: usize,
    width: usize,
    /// `upper[k]` holds the complete nodes `MID_ROW + k` levels above the bottom row.
    upper: Vec<Vec<Hash>>,
}

impl ExpandedTile {
    fn bottom_of(bytes: &[u8]) -> Result<Vec<Hash>, String> {
        if bytes.is_empty() || !bytes.len().is_multiple_of(32) || bytes.len() as u64 > WIDTH * 32 {
            return Err(format!(
                "a tile of {} bytes is not 1–256 hashes",
                bytes.len()
            ));
        }
        Ok(bytes
            .chunks_exact(32)
            .map(|c| c.try_into().expect("32 bytes"))
            .collect())
    }

    fn with_mid_row(bottom: Vec<Hash>, mid: Vec<Hash>) -> ExpandedTile {
        let width = bottom.len();
        Self::from_parts(bottom, 0, width, mid)
    }

    fn from_parts(
        bottom: Vec<Hash>,
        bottom_start: usize,
        width: usize,
        mid: Vec<Hash>,
    ) -> ExpandedTile {
        let mut upper = vec![mid];
        for _ in MID_ROW..HEIGHT {
            let below = upper.last().expect("a row");
            let up: Vec<Hash> = below
                .chunks_exact(2)
                .map(|p| node_hash(&p[0], &p[1]))
                .collect();
            upper.push(up);
        }
        ExpandedTile {
            bottom,
            bottom_start,
            width,
            upper,
        }
    }

    /// A full tile known by its mid row and one group of 16 bottom hashes (`group` counts
    /// groups from 0): enough for an inclusion proof of any entry in that group, for 15 node
    /// hashes and 512 bytes read instead of 8 KiB.
    pub fn from_group(mid: &[Hash], group: usize, bytes: &[u8]) -> Result<ExpandedTile, String> {
        let n = 1usize << MID_ROW;
        if mid.len() != WIDTH as usize / n || bytes.len() != n * 32 || group >= mid.len() {
            return Err("a tile group is 16 hashes of a full tile with its 16-node mid row".into());
        }
        let bottom: Vec<Hash> = Self::bottom_of(bytes)?;
        if perfect_root(&bottom) != mid[group] {
            return Err(format!(
                "group {group} of the tile does not match its mid row"
            ));
        }
        Ok(Self::from_parts(
            bottom,
            group * n,
            WIDTH as usize,
            mid.to_vec(),
        ))
    }

    /// From a tile's bytes (1–256 hashes).
    pub fn new(bytes: &[u8]) -> Result<ExpandedTile, String> {
        let bottom = Self::bottom_of(bytes)?;
        let group = 1usize << MID_ROW;
        let mid = bottom.chunks_exact(group).map(perfect_root).collect();
        Ok(Self::with_mid_row(bottom, mid))
    }

    /// From a tile's bytes and its mid row as returned by [`ExpandedTile::mid`] for the same
    /// bytes (a caller that remembers mid rows of full tiles skips most of the hashing).
    pub fn with_mid(bytes: &[u8], mid: &[Hash]) -> Result<ExpandedTile, String> {
        let bottom = Self::bottom_of(bytes)?;
        if mid.len() != bottom.len() >> MID_ROW {
            return Err("the mid row does not match the tile".into());
        }
        Ok(Self::with_mid_row(bottom, mid.to_vec()))
    }

    /// The complete nodes [`MID_ROW`] levels up (16 for a full tile): worth remembering.
    pub fn mid(&self) -> &[Hash] {
        &self.upper[0]
    }

    pub fn width(&self) -> usize {
        self.width
    }

    /// The bottom hashes held (all of them, unless built by [`ExpandedTile::from_group`]).
    pub fn bottom(&self) -> &[Hash] {
        &self.bottom
    }

    fn get(&self, r: u8, i: usize) -> Option<Hash> {
        if r >= MID_ROW {
            return self.upper.get(usize::from(r - MID_ROW))?.get(i).copied();
        }
        let n = 1usize << r;
        let lo = (i * n).checked_sub(self.bottom_start)?;
        let slice = self.bottom.get(lo..lo + n)?;
        Some(perfect_root(slice))
    }
}

/// Tiles fetched for one proof: a [`NodeSource`] over them.
#[derive(Default, Debug)]
pub struct TileSet {
    tiles: HashMap<(u8, u64), Arc<ExpandedTile>>,
}

impl TileSet {
    pub fn insert(&mut self, level: u8, index: u64, tile: Arc<ExpandedTile>) {
        self.tiles.insert((level, index), tile);
    }
}

/// Where node (`level`, `index`) of the tree lives: (tile level, tile index, rows up, offset).
fn locate(level: u8, index: u64) -> (u8, u64, u8, usize) {
    let tl = level / HEIGHT;
    let r = level % HEIGHT;
    let first = index << r; // its first hash on the tile level
    (tl, first / WIDTH, r, ((first % WIDTH) >> r) as usize)
}

impl NodeSource for TileSet {
    fn node(&self, level: u8, index: u64) -> Result<Hash, MissingNode> {
        let (tl, ti, r, off) = locate(level, index);
        self.tiles
            .get(&(tl, ti))
            .and_then(|t| t.get(r, off))
            .ok_or(MissingNode { level, index })
    }
}

/// The tiles (level, index) that a computation over a [`NodeSource`] reads: run the
/// computation once over this recorder, fetch what it lists, then run it over a [`TileSet`].
#[derive(Default)]
pub struct TileRecorder {
    seen: std::cell::RefCell<Vec<(u8, u64)>>,
}

impl TileRecorder {
    pub fn tiles(self) -> Vec<(u8, u64)> {
        let mut v = self.seen.into_inner();
        v.sort_unstable();
        v.dedup();
        v
    }
}

impl NodeSource for TileRecorder {
    fn node(&self, level: u8, index: u64) -> Result<Hash, MissingNode> {
        let (tl, ti, _, _) = locate(level, index);
        self.seen.borrow_mut().push((tl, ti));
        Ok([0; 32])
    }
}

/// The right edge of the tree: the last tile at every level. Appending leaf hashes to it gives
/// the new root and the tiles that changed, which is all that integration writes.
#[derive(Debug, Clone, Default)]
pub struct Edge {
    size: u64,
    /// `levels[L]` = (index, bottom-row hashes) of the last tile at level L.
    levels: Vec<(u64, Vec<Hash>)>,
    /// Tiles that filled up since the last [`Edge::take_changed`].
    completed: Vec<(u8, u64, Vec<u8>)>,
    /// Levels whose last tile changed since the last [`Edge::take_changed`].
    touched: Vec<bool>,
}

impl Edge {
    pub fn new() -> Edge {
        Edge::default()
    }

    /// The edge of a stored tree of `size`: `last_tiles[L]` is the bytes of the last tile at
    /// level L (see [`Edge::last_tiles`]). Each must hold exactly the hashes the size implies.
    pub fn from_tiles(size: u64, last_tiles: &[Vec<u8>]) -> Result<Edge, String> {
        let wanted = Edge::last_tiles(size);
        if wanted.len() != last_tiles.len() {
            return Err(format!(
                "a tree of {size} has {} tile levels, {} were given",
                wanted.len(),
                last_tiles.len()
            ));
        }
        let mut levels = Vec::new();
        for (t, bytes) in wanted.iter().zip(last_tiles) {
            if bytes.len() != usize::from(t.width) * 32 {
                return Err(format!(
                    "tile {} should hold {} hashes, it holds {} bytes",
                    t.path(),
                    t.width,
                    bytes.len()
                ));
            }
            let hashes = bytes
                .chunks_exact(32)
                .map(|c| c.try_into().expect("32 bytes"))
                .collect();
            levels.push((t.index, hashes));
        }
        let touched = vec![false; levels.len()];
        Ok(Edge {
            size,
            levels,
            completed: Vec::new(),
            touched,
        })
    }

    /// The last tile at every level of a tree of `size`, bottom first.
    pub fn last_tiles(size: u64) -> Vec<TileId> {
        let mut out = Vec::new();
        let mut level = 0u8;
        loop {
            let count = level_count(level, size);
            if count == 0 {
                break;
            }
            let index = (count - 1) / WIDTH;
            out.push(TileId::at(level, index, size).expect("count > 0"));
            level += 1;
        }
        out
    }

    pub fn size(&self) -> u64 {
        self.size
    }

    pub fn append(&mut self, leaf: Hash) {
        self.size += 1;
        self.push(0, leaf);
    }

    fn push(&mut self, level: usize, h: Hash) {
        if self.levels.len() == level {
            self.levels.push((0, Vec::with_capacity(WIDTH as usize)));
            self.touched.push(false);
        }
        let (index, hashes) = &mut self.levels[level];
        if hashes.len() as u64 == WIDTH {
            *index += 1;
            hashes.clear();
        }
        hashes.push(h);
        self.touched[level] = true;
        if hashes.len() as u64 == WIDTH {
            let root = perfect_root(hashes);
            self.completed.push((level as u8, *index, hashes.concat()));
            self.push(level + 1, root);
        }
    }

    /// The tiles written since the last call (level, index, bytes): every tile that filled up,
    /// and the current last tile of each level that changed.
    pub fn take_changed(&mut self) -> Vec<(u8, u64, Vec<u8>)> {
        let mut out = std::mem::take(&mut self.completed);
        for (level, touched) in self.touched.iter_mut().enumerate() {
            if std::mem::take(touched) {
                let (index, hashes) = &self.levels[level];
                if !out
                    .iter()
                    .any(|(l, i, _)| usize::from(*l) == level && i == index)
                {
                    out.push((level as u8, *index, hashes.concat()));
                }
            }
        }
        out
    }

    /// The bytes of the last tile at `level` (empty beyond the top).
    pub fn last_tile_bytes(&self, level: u8) -> Vec<u8> {
        self.levels
            .get(usize::from(level))
            .map(|(_, h)| h.concat())
            .unwrap_or_default()
    }

    pub fn root(&self) -> Hash {
        range_hash(self, 0, self.size).expect("the edge holds every node of its compact range")
    }
}

impl NodeSource for Edge {
    fn node(&self, level: u8, index: u64) -> Result<Hash, MissingNode> {
        let (tl, ti, r, off) = locate(level, index);
        let missing = MissingNode { level, index };
        let (idx, hashes) = self.levels.get(usize::from(tl)).ok_or(missing)?;
        if *idx != ti {
            return Err(missing);
        }
        let n = 1usize << r;
        let slice = hashes.get(off * n..off * n + n).ok_or(missing)?;
        Ok(perfect_root(slice))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::merkle::{Leaves, inclusion_proof, leaf_hash, tree_root};

    #[test]
    fn index_paths_are_three_digit_groups() {
        assert_eq!(index_path(0), "000");
        assert_eq!(index_path(7), "007");
        assert_eq!(index_path(1000), "x001/000");
        assert_eq!(index_path(1234067), "x001/x234/067");
        let t = TileId::at(0, 1234067, 1234067 * 256 + 5).unwrap();
        assert_eq!(t.path(), "tile/0/x001/x234/067.p/5");
        assert_eq!(entries_path(3, 256), "tile/entries/003");
    }

    #[test]
    fn tile_paths_parse_back_and_odd_spellings_are_refused() {
        for (p, want) in [
            (
                "0/x001/x234/067",
                TilePath::Hashes(TileId {
                    level: 0,
                    index: 1234067,
                    width: 256,
                }),
            ),
            (
                "2/000.p/3",
                TilePath::Hashes(TileId {
                    level: 2,
                    index: 0,
                    width: 3,
                }),
            ),
            (
                "entries/x001/000.p/255",
                TilePath::Entries {
                    index: 1000,
                    width: 255,
                },
            ),
        ] {
            assert_eq!(parse_path(p).unwrap(), want, "{p}");
        }
        for bad in [
            "0/1",
            "0/0001",
            "0/x000/001",
            "0/001.p/256",
            "0/001.p/0",
            "0/001.p/07",
            "8/000",
            "01/000",
            "entries",
            "0/001/",
            "0/y001/000",
            "0/x001",
        ] {
            assert!(parse_path(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn a_tile_rebuilt_from_its_remembered_mid_row_answers_every_node_alike() {
        for width in [1usize, 15, 16, 17, 200, 256] {
            let bytes: Vec<u8> = (0..width * 32).map(|i| (i * 7 + width) as u8).collect();
            let a = ExpandedTile::new(&bytes).unwrap();
            let b = ExpandedTile::with_mid(&bytes, a.mid()).unwrap();
            for r in 0..=HEIGHT {
                for i in 0..(width >> r) {
                    assert_eq!(a.get(r, i), b.get(r, i), "width {width} row {r} node {i}");
                    let want = perfect_root(&a.bottom()[i << r..(i + 1) << r]);
                    assert_eq!(a.get(r, i), Some(want));
                }
                assert_eq!(a.get(r, width >> r), None, "incomplete nodes are absent");
            }
            assert!(ExpandedTile::with_mid(&bytes, &[]).is_err() || width < 16);
        }
        let bytes: Vec<u8> = (0..256u32)
            .flat_map(|i| crate::merkle::leaf_hash(&i.to_be_bytes()))
            .collect();
        let full = ExpandedTile::new(&bytes).unwrap();
        for g in [0usize, 5, 15] {
            let part =
                ExpandedTile::from_group(full.mid(), g, &bytes[g * 512..(g + 1) * 512]).unwrap();
            for r in 0..=HEIGHT {
                for i in 0..(256 >> r) {
                    let inside = r >= MID_ROW || (i << r) / 16 == g;
                    if inside {
                        assert_eq!(part.get(r, i), full.get(r, i), "group {g} row {r} node {i}");
                    } else {
                        assert_eq!(part.get(r, i), None, "group {g} row {r} node {i}");
                    }
                }
            }
            assert!(
                ExpandedTile::from_group(full.mid(), (g + 1) % 16, &bytes[g * 512..(g + 1) * 512])
                    .is_err()
            );
        }
    }

    #[test]
    fn bundles_round_trip_and_truncation_is_named() {
        let b = encode_bundle([&b"one"[..], b"", b"three"]);
        assert_eq!(decode_bundle(&b).unwrap(), vec![&b"one"[..], b"", b"three"]);
        assert!(
            decode_bundle(&b[..b.len() - 1])
                .unwrap_err()
                .contains("byte 7")
        );
    }

    #[test]
    fn the_edge_gives_the_same_roots_and_tiles_as_the_whole_tree() {
        let mut edge = Edge::new();
        let mut leaves = Vec::new();
        let mut stored: HashMap<(u8, u64), Vec<u8>> = HashMap::new();
        for i in 0..70_000u32 {
            let h = leaf_hash(&i.to_be_bytes());
            leaves.push(h);
            edge.append(h);
            if i % 4999 == 0 || [255, 256, 65535, 65536].contains(&i) {
                for (l, n, b) in edge.take_changed() {
                    stored.insert((l, n), b);
                }
                let size = leaves.len() as u64;
                assert_eq!(
                    edge.root(),
                    tree_root(&Leaves(&leaves), size).unwrap(),
                    "{size}"
                );
                // The edge rebuilt from the stored tiles carries on identically.
                let last: Vec<Vec<u8>> = Edge::last_tiles(size)
                    .iter()
                    .map(|t| stored[&(t.level, t.index)][..usize::from(t.width) * 32].to_vec())
                    .collect();
                let again = Edge::from_tiles(size, &last).unwrap();
                assert_eq!(again.root(), edge.root());
                // Any proof from the stored tiles matches one from the leaves.
                let index = u64::from(i) / 3;
                let rec = TileRecorder::default();
                inclusion_proof(&rec, index, size).unwrap();
                let mut set = TileSet::default();
                for (l, n) in rec.tiles() {
                    let t = TileId::at(l, n, size).unwrap();
                    let bytes = &stored[&(l, n)][..usize::from(t.width) * 32];
                    set.insert(l, n, Arc::new(ExpandedTile::new(bytes).unwrap()));
                }
                assert_eq!(
                    inclusion_proof(&set, index, size).unwrap(),
                    inclusion_proof(&Leaves(&leaves), index, size).unwrap()
                );
            }
        }
    }
}
