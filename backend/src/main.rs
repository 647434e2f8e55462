//! `amanat`: the relay (`amanat serve`) and its admin commands. See [`backend::cli`].

fn main() -> std::process::ExitCode {
    backend::cli::main()
}
