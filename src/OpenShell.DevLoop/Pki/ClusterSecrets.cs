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
/// Creates the gateway's TLS and SSH handshake secrets when they are missing, and writes the client certificate,
/// key and CA under the cache folder for local tools. Secret values never reach the log.
/// </summary>
public static partial class ClusterSecrets
{
    /// <summary>The file names written under the cache folder.</summary>
    public const string CaFile = "ca.crt";

    /// <summary>The client certificate file.</summary>
    public const string ClientCertificateFile = "client.crt";

    /// <summary>The client key file.</summary>
    public const string ClientKeyFile = "client.key";

    /// <summary>Ensures the secrets exist in namespace <c>openshell</c>, then refreshes the local copies in <paramref name="cacheDirectory"/>.</summary>
    public static async Task<ClusterSecretsResult> EnsureAsync(IKubernetes kube, string cacheDirectory, ILogger logger, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(kube);
        ArgumentException.ThrowIfNullOrEmpty(cacheDirectory);
        ArgumentNullException.ThrowIfNull(logger);

        await EnsureNamespaceAsync(kube, ct).ConfigureAwait(false);
        var created = new List<string>();
        var kept = new List<string>();

        var existing = new Dictionary<string, V1Secret>(StringComparer.Ordinal);
        foreach (var name in ClusterSecretNames.Tls)
        {
            if (await ReadAsync(kube, name, ct).ConfigureAwait(false) is { } secret)
            {
                existing[name] = secret;
            }
        }

        if (existing.Count == ClusterSecretNames.Tls.Count)
        {
            kept.AddRange(ClusterSecretNames.Tls);
            LogTlsKept(logger);
        }
        else
        {
            if (existing.Count > 0)
            {
                // The three must come from one CA and the CA key is not kept anywhere: a partial set cannot be completed.
                var missing = string.Join(", ", ClusterSecretNames.Tls.Where(n => !existing.ContainsKey(n)));
                LogTlsIncomplete(logger, missing);
                foreach (var name in existing.Keys)
                {
                    await kube.CoreV1.DeleteNamespacedSecretAsync(name, ClusterSecretNames.Namespace, cancellationToken: ct).ConfigureAwait(false);
                }
            }

            var pki = PkiGenerator.Generate();
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
        return new ClusterSecretsResult(created, kept, cacheDirectory);
    }

    internal static IEnumerable<V1Secret> TlsSecrets(PkiMaterial pki)
    {
        yield return Tls(ClusterSecretNames.ServerTls, pki.ServerCertificate, pki.ServerKey, pki.CaCertificate);
        yield return Opaque(ClusterSecretNames.ServerClientCa, new() { ["ca.crt"] = pki.CaCertificate });
        yield return Tls(ClusterSecretNames.ClientTls, pki.ClientCertificate, pki.ClientKey, pki.CaCertificate);
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

    private static V1Secret Tls(string name, string certificate, string key, string ca) => new()
    {
        Metadata = Metadata(name),
        Type = "kubernetes.io/tls",
        Data = new Dictionary<string, byte[]>
        {
            ["tls.crt"] = Encoding.ASCII.GetBytes(certificate),
            ["tls.key"] = Encoding.ASCII.GetBytes(key),
            ["ca.crt"] = Encoding.ASCII.GetBytes(ca),
        },
    };

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

    [LoggerMessage(Level = LogLevel.Information, Message = "Created secret {Name} in namespace openshell")]
    private static partial void LogSecretCreated(ILogger logger, string name);
}
