namespace OpenShell.DevLoop.Cluster;

/// <summary>The values of <c>OpenShell:Cluster:GpuMode</c>.</summary>
public static class GpuModes
{
    /// <summary>All GPUs through the engine's NVIDIA runtime (Docker's <c>--gpus all</c>).</summary>
    public const string Legacy = "legacy";

    /// <summary>The CDI device <c>nvidia.com/gpu=all</c> (Docker 25 or later with CDI enabled).</summary>
    public const string Cdi = "cdi";

    /// <summary>The CDI device id that names every NVIDIA GPU.</summary>
    public const string CdiAllGpus = "nvidia.com/gpu=all";
}
