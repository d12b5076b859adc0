namespace OpenShell.DevLoop.History;

/// <summary>Limits of a <see cref="DeployHistory"/>.</summary>
public sealed record DeployHistoryOptions
{
    /// <summary>The size past which the current file is rotated (default 1 MiB, some thousands of deploys).</summary>
    public long MaxBytes { get; init; } = 1024 * 1024;

    /// <summary>How many rotated files are kept (<c>.1</c> newest).</summary>
    public int RotatedFiles { get; init; } = 2;

    /// <summary>How long an append waits for another writer.</summary>
    public TimeSpan LockTimeout { get; init; } = TimeSpan.FromSeconds(10);
}
