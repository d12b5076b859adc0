namespace OpenShell.KubeSim.Tests;

/// <summary>Unique, DNS-safe names so tests sharing a simulator never collide.</summary>
internal static class TestNames
{
    public static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid().ToString("N")[..8]}";
}
