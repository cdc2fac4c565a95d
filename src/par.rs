//! Order-preserving parallel map over a slice, on scoped std threads.
//!
//! Emitting and writing are independent per service and per file, so a
//! build splits them across the machine's cores. The result is in input
//! order whatever the scheduling, so output stays byte-for-byte the same.

/// Below this many items per worker, a thread costs more than it saves.
const MIN_PER_WORKER: usize = 64;

/// `items.iter().map(f).collect()`, on up to one thread per core.
pub fn map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = cores.min(items.len() / MIN_PER_WORKER).max(1);
    if workers == 1 {
        return items.iter().map(f).collect();
    }
    let chunk = items.len().div_ceil(workers);
    let f = &f;
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|c| s.spawn(move || c.iter().map(f).collect::<Vec<R>>()))
            .collect();
        let mut out = Vec::with_capacity(items.len());
        for h in handles {
            match h.join() {
                Ok(part) => out.extend(part),
                // A worker's panic is the caller's panic, as without threads.
                Err(payload) => std::panic::resume_unwind(payload),
            }
        }
        out
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn keeps_input_order_at_every_size() {
        for n in [0, 1, 63, 64, 129, 1_000, 10_007] {
            let items: Vec<usize> = (0..n).collect();
            let out = super::map(&items, |i| i * 2);
            assert_eq!(out, items.iter().map(|i| i * 2).collect::<Vec<_>>());
        }
    }
}
