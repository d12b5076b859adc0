using System.Net;

namespace OpenShell.DevLoop.Publishing;

/// <summary>
/// Where a registry's HTTP API answers: HTTPS, except for a loopback registry (a local registry on this machine) or one
/// named insecure on purpose (<c>--insecure-registry</c>), which are spoken to in plain HTTP, as Docker's engine does.
/// </summary>
/// <param name="Host">The registry's host and port, as image references name it (<c>127.0.0.1:5000</c>, <c>ghcr.io</c>).</param>
/// <param name="Scheme"><c>http</c> or <c>https</c>.</param>
public sealed record RegistryEndpoint(string Host, string Scheme)
{
    /// <summary>The endpoint for <paramref name="host"/>: plain HTTP for loopback hosts or when <paramref name="insecure"/>.</summary>
    public static RegistryEndpoint For(string host, bool insecure = false)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(host);
        return new RegistryEndpoint(host, insecure || IsLoopback(host) ? "http" : "https");
    }

    /// <summary>True for <c>localhost</c>, <c>127.0.0.0/8</c> and <c>[::1]</c>, with or without a port.</summary>
    public static bool IsLoopback(string host)
    {
        ArgumentNullException.ThrowIfNull(host);
        var name = host;
        if (name.StartsWith('['))
        {
            var end = name.IndexOf(']', StringComparison.Ordinal);
            name = end > 0 ? name[1..end] : name;
        }
        else if (name.Count(c => c == ':') == 1)
        {
            name = name[..name.IndexOf(':', StringComparison.Ordinal)];
        }

        return name.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(name, out var address) && IPAddress.IsLoopback(address));
    }

    /// <summary>The API's base address, <c>scheme://host/v2/</c>.</summary>
    public Uri ApiBase => new($"{Scheme}://{Host}/v2/");
}
