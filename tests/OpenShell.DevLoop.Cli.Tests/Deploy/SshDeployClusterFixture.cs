using OpenShell.Testing;

namespace OpenShell.DevLoop.Cli.Tests.Deploy;

/// <summary>
/// A <see cref="DeployClusterFixture"/> whose engine is <c>ssh://root@127.0.0.1:PORT</c>: a private sshd that forwards to
/// this machine's engine, as a remote machine would. The cluster is left to the tests to bring up through it.
/// </summary>
public sealed class SshDeployClusterFixture : DeployClusterFixture
{
    private readonly TempDirectory _sshFolder = new("ssh-deploy");
    private SshServer? _sshd;

    public SshDeployClusterFixture()
        : base("osrm3")
    {
    }

    /// <summary>The engine's address, once sshd runs.</summary>
    public string EngineHost => $"ssh://root@127.0.0.1:{Sshd.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>The sshd standing in for the remote machine.</summary>
    public SshServer Sshd => _sshd ?? throw new InvalidOperationException("sshd is not started");

    protected override IReadOnlyDictionary<string, string?> EngineSettings => _sshd is null
        ? new Dictionary<string, string?>()
        : new Dictionary<string, string?> { ["OpenShell:Engine:Host"] = EngineHost, ["OpenShell:Engine:SshConfig"] = _sshd.ClientConfig };

    protected override bool PrimesOnStart => false;

    public override async Task InitializeAsync()
    {
        if (DockerGate.SkipReason is null)
        {
            _sshd = await SshServer.StartAsync(_sshFolder.Path);
        }

        await base.InitializeAsync();
    }

    public override async Task DisposeAsync()
    {
        try
        {
            await base.DisposeAsync();
        }
        finally
        {
            if (_sshd is not null)
            {
                await _sshd.DisposeAsync();
            }

            _sshFolder.Dispose();
        }
    }
}
