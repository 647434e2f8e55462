//! Opening entries off the main thread: a pool of Web Workers, each running this crate's
//! own wasm, that open age ciphertexts with the loaded identity. (Being built.)
