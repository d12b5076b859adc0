using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;
using Docker.DotNet;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.Configuration;

namespace OpenShell.AppHost.Telemetry;

/// <summary>
/// Owns the <see cref="OtlpRelay"/> for the AppHost's lifetime: started on the Docker host's bridge address (the
/// engine's <c>host-gateway</c>, which the node resolves as <c>host.docker.internal</c>) at the port the node was told
/// (<see cref="ClusterSettings.OtlpRelayPort"/>). A relay that cannot start costs the cluster's telemetry, never the
/// dev loop: the reason and the fix go to the cluster's console.
/// </summary>
internal sealed class OtlpRelayHost(OpenShellSettings settings, DashboardOtlp dashboard, IDockerClient docker) : IAsyncDisposable
{
    private OtlpRelay? _relay;

    /// <summary>The running relay, if any.</summary>
    public OtlpRelay? Relay => _relay;

    /// <summary>Starts the relay unless it is turned off or the engine is not on this machine.</summary>
    public async Task StartAsync(ILogger logger, CancellationToken ct)
    {
        var port = settings.Cluster.OtlpRelayPort;
        if (port <= 0 || _relay is not null)
        {
            return;
        }

        if (docker.Configuration.EndpointBaseUri.Scheme != "unix")
        {
            logger.LogInformation("The Docker engine is not on this machine ({Engine}): the cluster's telemetry is not relayed to the dashboard.",
                docker.Configuration.EndpointBaseUri);
            return;
        }

        IPAddress? address;
        try
        {
            address = await BridgeAddressAsync(ct).ConfigureAwait(false);
        }
        catch (DockerApiException e)
        {
            logger.LogWarning("The cluster's telemetry is not relayed: the engine's bridge network could not be read ({Message}).", e.Message);
            return;
        }

        if (address is null)
        {
            logger.LogWarning("The cluster's telemetry is not relayed: the engine's bridge network has no IPv4 gateway.");
            return;
        }

        try
        {
            _relay = await OtlpRelay.StartAsync(address, port, dashboard, logger, ct: ct).ConfigureAwait(false);
            logger.LogInformation("Relaying the cluster's telemetry from {Endpoint} to the dashboard.", _relay.Endpoint);
        }
        catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or InvalidOperationException)
        {
            logger.LogWarning(
                "The cluster's telemetry is not relayed: {Address}:{Port} cannot be bound ({Message}). Set OpenShell:Cluster:OtlpRelayPort to a free port (then recreate the cluster), or to 0 to turn the relay off.",
                address, port, e.Message);
        }
    }

    private async Task<IPAddress?> BridgeAddressAsync(CancellationToken ct)
    {
        var bridge = await docker.Networks.InspectNetworkAsync("bridge", ct).ConfigureAwait(false);
        var configs = bridge.IPAM?.Config ?? [];
        foreach (var config in configs)
        {
            if (IPAddress.TryParse(config.Gateway, out var gateway) && gateway.AddressFamily == AddressFamily.InterNetwork)
            {
                return gateway;
            }
        }

        // Recent engines leave the default bridge's gateway out of its IPAM data: it is this host's address in the subnet.
        var subnets = configs.Select(c => IPNetwork.TryParse(c.Subnet, out var subnet) ? subnet : (IPNetwork?)null).OfType<IPNetwork>().ToList();
        return NetworkInterface.GetAllNetworkInterfaces()
            .SelectMany(nic => nic.GetIPProperties().UnicastAddresses)
            .Select(unicast => unicast.Address)
            .FirstOrDefault(address => address.AddressFamily == AddressFamily.InterNetwork && subnets.Any(subnet => subnet.Contains(address)));
    }

    public async ValueTask DisposeAsync()
    {
        if (_relay is not null)
        {
            await _relay.DisposeAsync().ConfigureAwait(false);
        }
    }
}
