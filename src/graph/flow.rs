//! Dinic's maximum flow with current-arc pointers, for the minimum cut.
//!
//! On networks whose finite capacities are all 1 (our conduit gadgets) it
//! needs O(√V) phases of O(E) each: O(E·√V) in all. Each augmenting search
//! resumes where the last one stopped in every node (the "current arc"), so
//! a phase never rescans an exhausted edge.

/// A flow network over nodes `0..n`; edges are stored in pairs (edge, reverse).
#[derive(Debug, Clone)]
pub(crate) struct Network {
    head: Vec<Vec<usize>>,
    to: Vec<usize>,
    cap: Vec<u64>,
}

impl Network {
    pub fn new(n: usize) -> Network {
        Network {
            head: vec![Vec::new(); n],
            to: Vec::new(),
            cap: Vec::new(),
        }
    }

    pub fn add_node(&mut self) -> usize {
        self.head.push(Vec::new());
        self.head.len() - 1
    }

    /// Adds `a → b` with capacity `c`; returns the edge id.
    pub fn add_edge(&mut self, a: usize, b: usize, c: u64) -> usize {
        let id = self.to.len();
        self.to.extend([b, a]);
        self.cap.extend([c, 0]);
        if let Some(h) = self.head.get_mut(a) {
            h.push(id);
        }
        if let Some(h) = self.head.get_mut(b) {
            h.push(id + 1);
        }
        id
    }

    fn levels(&self, s: usize, t: usize) -> Option<Vec<u32>> {
        let mut level = vec![u32::MAX; self.head.len()];
        let mut queue = std::collections::VecDeque::from([s]);
        *level.get_mut(s)? = 0;
        while let Some(u) = queue.pop_front() {
            let lu = level.get(u).copied().unwrap_or(u32::MAX);
            for &e in self.head.get(u).map_or(&[][..], Vec::as_slice) {
                let (Some(&v), Some(&c)) = (self.to.get(e), self.cap.get(e)) else {
                    continue;
                };
                if c > 0 && level.get(v) == Some(&u32::MAX) {
                    if let Some(l) = level.get_mut(v) {
                        *l = lu + 1;
                    }
                    queue.push_back(v);
                }
            }
        }
        (level.get(t) != Some(&u32::MAX)).then_some(level)
    }

    /// One augmenting path in the level graph (iterative DFS); its bottleneck.
    fn augment(&mut self, s: usize, t: usize, level: &[u32], next: &mut [usize]) -> u64 {
        let mut path: Vec<usize> = Vec::new();
        let mut u = s;
        loop {
            if u == t {
                let f = path
                    .iter()
                    .filter_map(|&e| self.cap.get(e).copied())
                    .min()
                    .unwrap_or(0);
                for &e in &path {
                    if let Some(c) = self.cap.get_mut(e) {
                        *c -= f;
                    }
                    if let Some(c) = self.cap.get_mut(e ^ 1) {
                        *c += f;
                    }
                }
                return f;
            }
            let edges = self.head.get(u).map_or(&[][..], Vec::as_slice);
            let lu = level.get(u).copied().unwrap_or(u32::MAX);
            let mut advanced = false;
            while let Some(&e) = next.get(u).and_then(|&i| edges.get(i)) {
                let (v, c) = (
                    self.to.get(e).copied().unwrap_or(u),
                    self.cap.get(e).copied().unwrap_or(0),
                );
                if c > 0 && level.get(v).copied() == Some(lu.wrapping_add(1)) {
                    path.push(e);
                    u = v;
                    advanced = true;
                    break;
                }
                if let Some(i) = next.get_mut(u) {
                    *i += 1;
                }
            }
            if !advanced {
                // Dead end: retreat and skip the edge that led here.
                let Some(e) = path.pop() else { return 0 };
                u = self.to.get(e ^ 1).copied().unwrap_or(s);
                if let Some(i) = next.get_mut(u) {
                    *i += 1;
                }
            }
        }
    }

    /// Pushes a maximum flow from `s` to `t`; returns its value.
    pub fn max_flow(&mut self, s: usize, t: usize) -> u64 {
        let mut total = 0;
        while let Some(level) = self.levels(s, t) {
            let mut next = vec![0usize; self.head.len()];
            loop {
                let f = self.augment(s, t, &level, &mut next);
                if f == 0 {
                    break;
                }
                total += f;
            }
        }
        total
    }

    /// Nodes reachable from `s` in the residual network (the source side of a minimum cut).
    pub fn source_side(&self, s: usize) -> Vec<bool> {
        let mut seen = vec![false; self.head.len()];
        let mut stack = vec![s];
        if let Some(x) = seen.get_mut(s) {
            *x = true;
        }
        while let Some(u) = stack.pop() {
            for &e in self.head.get(u).map_or(&[][..], Vec::as_slice) {
                let (Some(&v), Some(&c)) = (self.to.get(e), self.cap.get(e)) else {
                    continue;
                };
                if c > 0 {
                    if let Some(x) = seen.get_mut(v) {
                        if !*x {
                            *x = true;
                            stack.push(v);
                        }
                    }
                }
            }
        }
        seen
    }

    /// Endpoints of edge `id`.
    pub fn ends(&self, id: usize) -> Option<(usize, usize)> {
        Some((*self.to.get(id ^ 1)?, *self.to.get(id)?))
    }
}
