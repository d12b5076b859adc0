namespace OpenShell.DevLoop.Engine;

/// <summary>Starts the <c>ssh</c> client; a seam so argument building and error mapping are testable without SSH.</summary>
internal interface ISshProcessRunner
{
    /// <summary>Starts <c>ssh</c> with <paramref name="arguments"/>, its standard error captured.</summary>
    /// <exception cref="SshTunnelException">The client is not installed.</exception>
    ISshProcess Start(IReadOnlyList<string> arguments);
}

/// <summary>A running <c>ssh</c> client.</summary>
internal interface ISshProcess : IDisposable
{
    /// <summary>True once the process has exited.</summary>
    bool HasExited { get; }

    /// <summary>Everything written to standard error so far.</summary>
    string StandardError { get; }

    /// <summary>Ends the process (and waits for it briefly).</summary>
    void Stop();
}
