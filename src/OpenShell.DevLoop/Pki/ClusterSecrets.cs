using System.Net;
using System.Security.Cryptography;
using System.Text;
using k8s;
using k8s.Autorest;
using k8s.Models;
using Microsoft.Extensions.Logging;
using OpenShell.DevLoop.FileSystem;

namespace OpenShell.DevLoop.Pki;

/// <summary>
/// Creates the gateway's TLS and SSH handshake secrets when they are missing, reissues the server certificate when
/// its names are not the wanted ones, and writes the client certificate, key and CA under the cache folder for
/// local tools. Secret values never reach the log.
/// </summary>
public static partial class ClusterSecrets
{
    /// <summary>The file names written under the cache folder.</summary>
    public const string CaFile = "ca.crt";

    /// <summary>The client certificate file.</summary>
    public const string ClientCertificateFile = "client.crt";

    /// <summary>The client key file.</summary>
    public const string ClientKeyFile = "client.key";

    /// <summary>
    /// Ensures the secrets exist in namespace <c>openshell</c>, then refreshes the local copies in <paramref name="cacheDirectory"/>.
    /// A server certificate whose names differ from <see cref="PkiGenerator.ServerNames"/> for <paramref name="nodeName"/>
    /// is reissued by the same CA (and the gateway pod restarted to load it); without the CA's key (a cluster set up
    /// before it was kept) all three TLS secrets are recreated.
    /// </summary>
    public static async Task<ClusterSecretsResult> EnsureAsync(IKubernetes kube, string cacheDirectory, string? nodeName, ILogger logger, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(kube);
        ArgumentException.ThrowIfNullOrEmpty(cacheDirectory);
        ArgumentNullException.ThrowIfNull(logger);

        await EnsureNamespaceAsync(kube, ct).ConfigureAwait(false);
        var wantedNames = PkiGenerator.ServerNames(nodeName);
        var created = new List<string>();
        var kept = new List<string>();
        var replaced = new List<string>();

        var existing = new Dictionary<string, V1Secret>(StringComparer.Ordinal);
        foreach (var name in ClusterSecretNames.Tls)
        {
            if (await ReadAsync(kube, name, ct).ConfigureAwait(false) is { } secret)
            {
                existing[name] = secret;
            }
        }

        var recreate = existing.Count != ClusterSecretNames.Tls.Count;
        if (!recreate)
        {
            var server = existing[ClusterSecretNames.ServerTls];
            var difference = NameDifference(Text(server, "tls.crt"), wantedNames);
            if (difference is null)
            {
                kept.AddRange(ClusterSecretNames.Tls);
                if (await ReadAsync(kube, ClusterSecretNames.DevCa, ct).ConfigureAwait(false) is not null)
                {
                    kept.Add(ClusterSecretNames.DevCa);
                }

                LogTlsKept(logger);
            }
            else if (await ReissueServerAsync(kube, server, wantedNames, ct).ConfigureAwait(false))
            {
                replaced.Add(ClusterSecretNames.ServerTls);
                kept.AddRange(ClusterSecretNames.Tls.Where(n => n != ClusterSecretNames.ServerTls));
                LogServerReissued(logger, difference);
                if (await RestartGatewayAsync(kube, ct).ConfigureAwait(false) is > 0 and var restarted)
                {
                    LogGatewayRestarted(logger, restarted);
                }
            }
            else
            {
                LogServerNamesNoCaKey(logger, difference);
                recreate = true;
            }
        }
        else if (existing.Count > 0)
        {
            // The three must come from one CA: a partial set cannot be completed.
            LogTlsIncomplete(logger, string.Join(", ", ClusterSecretNames.Tls.Where(n => !existing.ContainsKey(n))));
        }

        if (recreate)
        {
            foreach (var name in existing.Keys.Append(ClusterSecretNames.DevCa))
            {
                await DeleteAsync(kube, name, ct).ConfigureAwait(false);
            }

            var pki = PkiGenerator.Generate(wantedNames, null);
            foreach (var secret in TlsSecrets(pki))
            {
                await kube.CoreV1.CreateNamespacedSecretAsync(secret, ClusterSecretNames.Namespace, cancellationToken: ct).ConfigureAwait(false);
                created.Add(secret.Metadata.Name);
            }

            LogTlsCreated(logger);
        }

        if (await ReadAsync(kube, ClusterSecretNames.SshHandshake, ct).ConfigureAwait(false) is null)
        {
            var handshake = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            await kube.CoreV1.CreateNamespacedSecretAsync(Opaque(ClusterSecretNames.SshHandshake, new() { [ClusterSecretNames.SshHandshakeKey] = handshake }), ClusterSecretNames.Namespace, cancellationToken: ct).ConfigureAwait(false);
            created.Add(ClusterSecretNames.SshHandshake);
            LogSecretCreated(logger, ClusterSecretNames.SshHandshake);
        }
        else
        {
            kept.Add(ClusterSecretNames.SshHandshake);
        }

        // The local copies always come from the cluster, so they match the gateway even when the secrets were kept.
        var client = await ReadAsync(kube, ClusterSecretNames.ClientTls, ct).ConfigureAwait(false)
            ?? throw new InvalidOperationException($"Secret {ClusterSecretNames.Namespace}/{ClusterSecretNames.ClientTls} disappeared right after it was ensured; run the command again.");
        await WriteLocalCopyAsync(client, cacheDirectory, ct).ConfigureAwait(false);
        return new ClusterSecretsResult(created, kept, cacheDirectory) { Replaced = replaced };
    }

    /// <summary>Why a server certificate's names are not the wanted ones (missing and extra names), or null when they are.</summary>
    internal static string? NameDifference(string serverCertificatePem, IReadOnlyList<string> wantedDnsNames)
    {
        var (dns, ips) = PkiGenerator.SubjectAlternativeNames(serverCertificatePem);
        var actual = dns.Concat(ips.Select(ip => ip.ToString())).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var wanted = wantedDnsNames.Concat(PkiGenerator.ServerIpAddresses.Select(ip => ip.ToString())).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (actual.SetEquals(wanted))
        {
            return null;
        }

        var missing = wanted.Where(n => !actual.Contains(n)).Order(StringComparer.Ordinal).ToList();
        var extra = actual.Where(n => !wanted.Contains(n)).Order(StringComparer.Ordinal).ToList();
        return (missing.Count > 0 ? "missing " + string.Join(", ", missing) : string.Empty)
            + (missing.Count > 0 && extra.Count > 0 ? "; " : string.Empty)
            + (extra.Count > 0 ? "not wanted " + string.Join(", ", extra) : string.Empty);
    }

    // Reissues the server certificate with the kept CA key; false when that key is missing or is not the server's CA.
    private static async Task<bool> ReissueServerAsync(IKubernetes kube, V1Secret server, IReadOnlyList<string> wantedNames, CancellationToken ct)
    {
        if (await ReadAsync(kube, ClusterSecretNames.DevCa, ct).ConfigureAwait(false) is not { } caSecret
            || TryText(caSecret, "tls.crt") is not { } caCertificate
            || TryText(caSecret, "tls.key") is not { } caKey
            || caCertificate != TryText(server, "ca.crt"))
        {
            return false;
        }

        string certificate;
        string key;
        try
        {
            (certificate, key) = PkiGenerator.ReissueServer(caCertificate, caKey, wantedNames);
        }
        catch (Exception ex) when (ex is CryptographicException or ArgumentException)
        {
            return false;
        }

        var replacement = Tls(ClusterSecretNames.ServerTls, certificate, key, caCertificate);
        replacement.Metadata.ResourceVersion = server.Metadata.ResourceVersion;
        await kube.CoreV1.ReplaceNamespacedSecretAsync(replacement, ClusterSecretNames.ServerTls, ClusterSecretNames.Namespace, cancellationToken: ct).ConfigureAwait(false);
        return true;
    }

    // The gateway reads its certificate when it starts: delete its pods so the StatefulSet starts them again.
    private static async Task<int> RestartGatewayAsync(IKubernetes kube, CancellationToken ct)
    {
        var pods = await kube.CoreV1.ListNamespacedPodAsync(ClusterSecretNames.Namespace, labelSelector: "app.kubernetes.io/name=openshell", cancellationToken: ct).ConfigureAwait(false);
        foreach (var pod in pods.Items)
        {
            try
            {
                await kube.CoreV1.DeleteNamespacedPodAsync(pod.Metadata.Name, ClusterSecretNames.Namespace, cancellationToken: ct).ConfigureAwait(false);
            }
            catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
            {
            }
        }

        return pods.Items.Count;
    }

    private static string Text(V1Secret secret, string key) =>
        TryText(secret, key) ?? throw new InvalidOperationException(
            $"Secret {ClusterSecretNames.Namespace}/{secret.Metadata?.Name} has no '{key}'; delete it and run the command again to recreate the TLS secrets.");

    private static string? TryText(V1Secret secret, string key) =>
        secret.Data is { } data && data.TryGetValue(key, out var value) && value is { Length: > 0 } ? Encoding.ASCII.GetString(value) : null;

    private static async Task DeleteAsync(IKubernetes kube, string name, CancellationToken ct)
    {
        try
        {
            await kube.CoreV1.DeleteNamespacedSecretAsync(name, ClusterSecretNames.Namespace, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
        }
    }

    internal static IEnumerable<V1Secret> TlsSecrets(PkiMaterial pki)
    {
        yield return Tls(ClusterSecretNames.ServerTls, pki.ServerCertificate, pki.ServerKey, pki.CaCertificate);
        yield return Opaque(ClusterSecretNames.ServerClientCa, new() { ["ca.crt"] = pki.CaCertificate });
        yield return Tls(ClusterSecretNames.ClientTls, pki.ClientCertificate, pki.ClientKey, pki.CaCertificate);
        if (pki.CaKey.Length > 0)
        {
            yield return Tls(ClusterSecretNames.DevCa, pki.CaCertificate, pki.CaKey, null);
        }
    }

    private static async Task WriteLocalCopyAsync(V1Secret client, string directory, CancellationToken ct)
    {
        byte[] Field(string key) => client.Data is { } data && data.TryGetValue(key, out var value) && value is { Length: > 0 }
            ? value
            : throw new InvalidOperationException($"Secret {ClusterSecretNames.Namespace}/{ClusterSecretNames.ClientTls} has no '{key}'; delete it and run the command again to recreate the TLS secrets.");

        Directory.CreateDirectory(directory);
        await AtomicFile.WriteAsync(Path.Combine(directory, CaFile), Field("ca.crt"), AtomicFile.OwnerOnly, ct).ConfigureAwait(false);
        await AtomicFile.WriteAsync(Path.Combine(directory, ClientCertificateFile), Field("tls.crt"), AtomicFile.OwnerOnly, ct).ConfigureAwait(false);
        await AtomicFile.WriteAsync(Path.Combine(directory, ClientKeyFile), Field("tls.key"), AtomicFile.OwnerOnly, ct).ConfigureAwait(false);
    }

    private static V1Secret Tls(string name, string certificate, string key, string? ca)
    {
        var data = new Dictionary<string, byte[]>
        {
            ["tls.crt"] = Encoding.ASCII.GetBytes(certificate),
            ["tls.key"] = Encoding.ASCII.GetBytes(key),
        };
        if (ca is not null)
        {
            data["ca.crt"] = Encoding.ASCII.GetBytes(ca);
        }

        return new() { Metadata = Metadata(name), Type = "kubernetes.io/tls", Data = data };
    }

    private static V1Secret Opaque(string name, Dictionary<string, string> values) => new()
    {
        Metadata = Metadata(name),
        Type = "Opaque",
        Data = values.ToDictionary(kv => kv.Key, kv => Encoding.ASCII.GetBytes(kv.Value)),
    };

    private static V1ObjectMeta Metadata(string name) => new()
    {
        Name = name,
        NamespaceProperty = ClusterSecretNames.Namespace,
        Labels = new Dictionary<string, string> { ["app.kubernetes.io/managed-by"] = "openshell-dev" },
    };

    private static async Task EnsureNamespaceAsync(IKubernetes kube, CancellationToken ct)
    {
        try
        {
            await kube.CoreV1.ReadNamespaceAsync(ClusterSecretNames.Namespace, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            try
            {
                await kube.CoreV1.CreateNamespaceAsync(new V1Namespace { Metadata = new V1ObjectMeta { Name = ClusterSecretNames.Namespace } }, cancellationToken: ct).ConfigureAwait(false);
            }
            catch (HttpOperationException conflict) when (conflict.Response.StatusCode == HttpStatusCode.Conflict)
            {
                // Created meanwhile (the chart's install job may create it too).
            }
        }
    }

    private static async Task<V1Secret?> ReadAsync(IKubernetes kube, string name, CancellationToken ct)
    {
        try
        {
            return await kube.CoreV1.ReadNamespacedSecretAsync(name, ClusterSecretNames.Namespace, cancellationToken: ct).ConfigureAwait(false);
        }
        catch (HttpOperationException ex) when (ex.Response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "TLS secrets already present in namespace openshell: kept")]
    private static partial void LogTlsKept(ILogger logger);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the TLS secrets (CA, server certificate, client certificate) in namespace openshell")]
    private static partial void LogTlsCreated(ILogger logger);

    [LoggerMessage(Level = LogLevel.Warning, Message = "TLS secrets incomplete (missing: {Missing}); the set must share one CA, so all three are recreated")]
    private static partial void LogTlsIncomplete(ILogger logger, string missing);

    [LoggerMessage(Level = LogLevel.Information, Message = "The gateway's server certificate names differ from the wanted ones ({Difference}): reissued by the same CA")]
    private static partial void LogServerReissued(ILogger logger, string difference);

    [LoggerMessage(Level = LogLevel.Information, Message = "Restarted {Count} gateway pod(s) so the gateway loads its new server certificate")]
    private static partial void LogGatewayRestarted(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The gateway's server certificate names differ from the wanted ones ({Difference}) and the CA key was not kept (a cluster set up by an older version): all three TLS secrets are recreated with a new CA")]
    private static partial void LogServerNamesNoCaKey(ILogger logger, string difference);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created secret {Name} in namespace openshell")]
    private static partial void LogSecretCreated(ILogger logger, string name);
}
