using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Sandboxes;

namespace OpenShell.DevLoop.Deploy;

/// <summary>
/// Verifies through the gateway as a user would, over mTLS on the cluster's published gateway port with the client
/// certificate of <c>.cache/pki/</c>: a health call after a gateway rollout; <c>sandbox create</c> of the gateway's
/// default image with a command that exits at once after a supervisor swap.
/// </summary>
internal sealed class GatewaySandboxVerifier(TimeSpan timeout) : ISandboxVerifier
{
    public async Task<string> ProbeGatewayAsync(DeployTarget target, string component, CancellationToken ct)
    {
        using var client = Connect(target, component, DeployStep.GatewayProbe, "the gateway could not be called");
        try
        {
            // The rollout ended with the new pod ready; the port may still take a moment to forward to it.
            await client.WaitUntilAnswersAsync(timeout, ct).ConfigureAwait(false);
            var health = await client.GetHealthAsync(ct).ConfigureAwait(false);
            // The words of the mode the cluster was created with: mTLS enabled, plaintext HTTP, ...
            var security = Cluster.GatewaySecurityModes.Describe(client.Endpoint.Security);
            return health.KubernetesReachable
                ? $"the {component} answers ({security}) on {client.Endpoint.Address} and reaches the Kubernetes API"
                : throw new DeployException(DeployStep.GatewayProbe, $"the {component} answers ({security}) but cannot reach the Kubernetes API: {health.Detail}") { Component = component };
        }
        catch (SandboxException ex)
        {
            throw new DeployException(DeployStep.GatewayProbe, $"the new {component} pod does not serve: {ex.Message}", ex) { Component = component };
        }
    }

    public async Task<(string Sandbox, string SupervisorVersion)> VerifyAsync(DeployTarget target, string component, string expectedSha256, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        var name = $"verify-{Guid.NewGuid():N}"[..20];
        var client = Connect(target, component, DeployStep.SandboxVerification, "no sandbox could be started to verify it");

        using (client)
        {
            try
            {
                // A gateway pod that restarts or is briefly not ready must not fail a good supervisor: wait for it first.
                await client.WaitUntilAnswersAsync(timeout, ct).ConfigureAwait(false);
            }
            catch (SandboxException ex)
            {
                throw Failed(component, $"no sandbox could be started to verify it: {ex.Message}", ex);
            }

            try
            {
                var ready = await client.CreateAndWaitAsync(new SandboxCreateRequest(name, Command: ["true"]) { Timeout = timeout }, ct: ct).ConfigureAwait(false);
                if (!string.Equals(ready.SupervisorSha256, expectedSha256, StringComparison.OrdinalIgnoreCase))
                {
                    throw Failed(component,
                        $"sandbox {name} registered with supervisor sha256 {ready.SupervisorSha256}, not the deployed {expectedSha256}: sandboxes do not run the new binary");
                }

                return (name, ready.SupervisorVersion);
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

    private static SandboxClient Connect(DeployTarget target, string component, DeployStep step, string what)
    {
        ArgumentNullException.ThrowIfNull(target);
        try
        {
            return SandboxClient.Connect(GatewayEndpoint.Resolve(new ClusterPaths(target.RepositoryRoot, target.Plan.ClusterName), target.GatewayHostPort));
        }
        catch (SandboxException ex)
        {
            throw new DeployException(step, $"{what}: {ex.Message}", ex) { Component = component };
        }
    }

    private static DeployException Failed(string component, string message, Exception? inner = null) =>
        new(DeployStep.SandboxVerification, message, inner) { Component = component };
}
