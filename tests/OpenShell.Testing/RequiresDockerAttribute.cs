using OpenShell.DevLoop.Docker;
using Xunit;

namespace OpenShell.Testing;

/// <summary>
/// A fact that needs a Docker engine. Without one it is skipped with a visible reason, unless
/// <c>OPENSHELL_REQUIRE_DOCKER=1</c> (CI), where it runs and fails so a missing engine is never silent.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresDockerAttribute : FactAttribute
{
    /// <summary>Creates the attribute and decides whether to skip.</summary>
    public RequiresDockerAttribute()
    {
        if (DockerGate.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>The <see cref="RequiresDockerAttribute"/> gate for theories.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class RequiresDockerTheoryAttribute : TheoryAttribute
{
    /// <summary>Creates the attribute and decides whether to skip.</summary>
    public RequiresDockerTheoryAttribute()
    {
        if (DockerGate.SkipReason is { } reason)
        {
            Skip = reason;
        }
    }
}

/// <summary>Probes the engine once per test run.</summary>
public static class DockerGate
{
    private static readonly Lazy<bool> s_available = new(() =>
        Task.Run(() => DockerEngine.IsAvailableAsync(TimeSpan.FromSeconds(5))).GetAwaiter().GetResult());

    /// <summary>True when CI demands the Docker-backed tests run.</summary>
    public static bool Required => Environment.GetEnvironmentVariable("OPENSHELL_REQUIRE_DOCKER") == "1";

    /// <summary>The reason to skip, or null to run.</summary>
    public static string? SkipReason =>
        Required || s_available.Value
            ? null
            : $"No Docker engine answers at {DockerEngine.Endpoint}; start one, or set OPENSHELL_REQUIRE_DOCKER=1 to make this a failure.";
}
