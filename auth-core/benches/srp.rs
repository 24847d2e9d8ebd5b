//! SRP benchmark (filled in below).

fn main() {}
