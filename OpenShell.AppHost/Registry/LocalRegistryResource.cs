namespace Aspire.Hosting.ApplicationModel;

/// <summary>
/// The local container registry (registry v2) that gateway images are pushed to and the cluster pulls from.
/// </summary>
/// <param name="name">The resource name.</param>
public sealed class LocalRegistryResource(string name) : ContainerResource(name)
{
    /// <summary>The name of the registry's HTTP endpoint.</summary>
    public const string HttpEndpointName = "http";

    /// <summary>The port the registry listens on inside its container.</summary>
    public const int ContainerPort = 5000;

    private EndpointReference? _httpEndpoint;

    /// <summary>The registry's HTTP endpoint (127.0.0.1 on the host, the resource name inside the dev network).</summary>
    public EndpointReference HttpEndpoint => _httpEndpoint ??= new(this, HttpEndpointName);
}
