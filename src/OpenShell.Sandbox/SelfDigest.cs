using System.Security.Cryptography;

namespace OpenShell.Sandbox;

/// <summary>The SHA-256 of the running executable, so the gateway can tell which build a pod runs.</summary>
internal static class SelfDigest
{
    internal static async Task<string> ComputeAsync(CancellationToken ct = default)
    {
        var path = Environment.ProcessPath ?? throw new InvalidOperationException("the path of the running executable is unknown");
        await using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 81920, useAsync: true);
        var hash = await SHA256.HashDataAsync(file, ct).ConfigureAwait(false);
        return Convert.ToHexStringLower(hash);
    }
}
