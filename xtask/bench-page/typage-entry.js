// Bundled by esbuild into typage.js for the benchmark page (bench only).
export { Encrypter, Decrypter, generateX25519Identity, identityToRecipient } from "age-encryption";
