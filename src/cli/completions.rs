//! `conduit completions SHELL` and `conduit man`: shell completion scripts
//! and manual pages generated from the command-line definition itself, so
//! they never drift from it.

use super::common::write_atomic;
use super::Exit;
use clap::CommandFactory;
use std::io::Write;
use std::path::{Path, PathBuf};

#[derive(Debug, clap::Args)]
pub struct CompletionsArgs {
    /// The shell to complete for.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

#[derive(Debug, clap::Args)]
pub struct ManArgs {
    /// Write `conduit.1` and one `conduit-SUBCOMMAND.1` per subcommand into
    /// this directory instead of printing `conduit.1`.
    #[arg(short = 'o', long = "output", value_name = "DIR")]
    pub output: Option<PathBuf>,
}

pub fn completions(args: CompletionsArgs) -> Exit {
    let mut cmd = super::Cli::command();
    let mut out = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "conduit", &mut out);
    write_stdout(&out)
}

pub fn man(args: ManArgs) -> Exit {
    let cmd = super::Cli::command();
    match &args.output {
        None => match page(&cmd) {
            Ok(text) => write_stdout(&text),
            Err(_) => Exit::Usage,
        },
        Some(dir) => match write_pages(&cmd, dir) {
            Ok(()) => Exit::Clean,
            Err(e) => {
                eprintln!("error[E0401]: cannot write {}: {e}", dir.display());
                Exit::Usage
            }
        },
    }
}

fn page(cmd: &clap::Command) -> std::io::Result<Vec<u8>> {
    let mut out = Vec::new();
    clap_mangen::Man::new(cmd.clone()).render(&mut out)?;
    Ok(out)
}

fn write_pages(cmd: &clap::Command, dir: &Path) -> std::io::Result<()> {
    std::fs::create_dir_all(dir)?;
    write_atomic(&dir.join("conduit.1"), &page(cmd)?)?;
    for sub in cmd.get_subcommands() {
        let name = format!("conduit-{}", sub.get_name());
        let sub = sub
            .clone()
            .display_name(name.clone())
            .bin_name(name.replacen('-', " ", 1))
            .version(env!("CONDUIT_VERSION"));
        write_atomic(&dir.join(format!("{name}.1")), &page(&sub)?)?;
    }
    Ok(())
}

fn write_stdout(bytes: &[u8]) -> Exit {
    let mut out = std::io::stdout().lock();
    match out.write_all(bytes).and_then(|()| out.flush()) {
        Ok(()) => Exit::Clean,
        Err(_) => Exit::Usage,
    }
}
