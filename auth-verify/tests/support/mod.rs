pub(crate) mod misbehaving;
