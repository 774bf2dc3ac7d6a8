//! The `qianbao` binary: parse the command line, run it, exit with its code.

use clap::Parser;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    // With TLS built in, every HTTP client needs the crypto provider installed before it is made.
    #[cfg(feature = "tls")]
    qianbao_connectors::install_tls_provider();
    qianbao_server::cli::run(qianbao_server::cli::Cli::parse()).await
}
