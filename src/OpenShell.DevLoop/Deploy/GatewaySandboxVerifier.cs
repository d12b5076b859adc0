using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Sandboxes;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// Verifies through the gateway as a user would: <c>sandbox create</c> of the gateway's default image with a command that
/// exits at once, over mTLS on the cluster's published gateway port with the client certificate of <c>.cache/pki/</c>.
/// </summary>
internal sealed class GatewaySandboxVerifier(TimeSpan timeout) : ISandboxVerifier
{
    public async Task<string> VerifyAsync(DeployTarget target, string component, string expectedSha256, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        var name = $"verify-{Guid.NewGuid():N}"[..20];
        SandboxClient client;
        try
        {
            client = SandboxClient.Connect(GatewayEndpoint.Resolve(new ClusterPaths(target.RepositoryRoot, target.Plan.ClusterName), target.GatewayHostPort));
        }
        catch (SandboxException ex)
        {
            throw Failed(component, $"no sandbox could be started to verify it: {ex.Message}", ex);
        }

        using (client)
        {
            try
            {
                var ready = await client.CreateAndWaitAsync(new SandboxCreateRequest(name, Command: ["true"]) { Timeout = timeout }, ct: ct).ConfigureAwait(false);
                if (!string.Equals(ready.SupervisorSha256, expectedSha256, StringComparison.OrdinalIgnoreCase))
                {
                    throw Failed(component,
                        $"sandbox {name} registered with supervisor sha256 {ready.SupervisorSha256}, not the deployed {expectedSha256}: sandboxes do not run the new binary");
                }

                return name;
            }
            catch (SandboxException ex)
            {
                throw Failed(component, $"sandbox {name} did not register with the new supervisor: {ex.Message}", ex);
            }
            finally
            {
                try
                {
                    await client.DeleteAsync(name, CancellationToken.None).ConfigureAwait(false);
                }
                catch (Exception ex) when (ex is SandboxException or Grpc.Core.RpcException)
                {
                    // Never created, or already gone: nothing to clean up.
                }
            }
        }
    }

    private static DeployException Failed(string component, string message, Exception? inner = null) =>
        new(DeployStep.SandboxVerification, message, inner) { Component = component };
}
