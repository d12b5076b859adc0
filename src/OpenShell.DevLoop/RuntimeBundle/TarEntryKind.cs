namespace OpenShell.DevLoop.RuntimeBundle;

/// <summary>What a tar entry is, from its header's type flag.</summary>
internal enum TarEntryKind
{
    RegularFile,
    Directory,
    SymbolicLink,
    HardLink,
    CharacterDevice,
    BlockDevice,
    Fifo,
    Other,
}
