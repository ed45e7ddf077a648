//! State machines as transition tables: one `const` table per machine,
//! one function to consult it, so that what is allowed is written once and
//! can be tested exhaustively.

use std::fmt::Debug;

/// A transition that the table does not allow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Forbidden<S, A> {
    pub from: S,
    pub action: A,
}

/// Looks `(from, action)` up in `table`.
pub fn step<S: Copy + Eq + Debug, A: Copy + Eq + Debug>(
    table: &[(S, A, S)],
    from: S,
    action: A,
) -> Result<S, Forbidden<S, A>> {
    table
        .iter()
        .find(|(f, a, _)| *f == from && *a == action)
        .map(|(_, _, to)| *to)
        .ok_or(Forbidden { from, action })
}

/// The actions the table allows from `from`, in table order.
pub fn allowed<S: Copy + Eq, A: Copy + Eq>(table: &[(S, A, S)], from: S) -> Vec<A> {
    let mut out = Vec::new();
    for (f, a, _) in table {
        if *f == from && !out.contains(a) {
            out.push(*a);
        }
    }
    out
}
