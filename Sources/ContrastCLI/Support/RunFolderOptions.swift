import ArgumentParser

/// The flags every training command has for its run folder: replacing an earlier run or
/// resuming one.
struct RunFolderOptions: ParsableArguments {
    @Flag(help: "Continue the run in --output from its last checkpoint (settings that change the run are refused).") var resume = false
    @Flag(help: "Replace an earlier run in --output once this one is complete.") var overwrite = false
}
