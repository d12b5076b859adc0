namespace OpenShell.DevLoop.Cli.Tests.Deploy;

/// <summary>A <see cref="DeployClusterFixture"/> whose cluster is left to its tests, to bootstrap with a security switch.</summary>
public sealed class PlaintextDeployClusterFixture : DeployClusterFixture
{
    public PlaintextDeployClusterFixture()
        : base("ossw-")
    {
    }

    protected override bool PrimesOnStart => false;
}
