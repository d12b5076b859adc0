using OpenShell.DevLoop.Docker;

namespace OpenShell.DevLoop.Cluster;

/// <summary>
/// Checks, before anything is created, that the engine can hand GPUs to the node in the configured mode: <c>legacy</c>
/// needs the NVIDIA runtime registered with the engine, <c>cdi</c> needs CDI support (Docker 25 or later with CDI spec
/// folders). The message names what is missing and how to install it.
/// </summary>
public static class GpuPreflight
{
    /// <summary>Null when <paramref name="engine"/> can serve GPUs in <paramref name="mode"/>, else why not and what to do.</summary>
    public static string? Check(EngineGpuSupport engine, string mode)
    {
        ArgumentNullException.ThrowIfNull(engine);
        var ok = mode == GpuModes.Cdi ? engine.HasCdi : engine.HasNvidiaRuntime;
        if (ok)
        {
            return null;
        }

        var runtimes = engine.Runtimes.Count == 0 ? "none" : string.Join(", ", engine.Runtimes);
        var nvidia = engine.HasNvidiaRuntime ? "the 'nvidia' runtime is registered" : $"its runtimes are {runtimes} (no 'nvidia')";
        var cdi = engine.CdiSpecDirs switch
        {
            null => "it has no CDI support (it reports no CDISpecDirs; CDI needs Docker 25 or later)",
            { Count: 0 } => "CDI is turned off (CDISpecDirs is empty; enable the 'cdi' feature in daemon.json)",
            var dirs => $"CDI is on (specs in {string.Join(", ", dirs)})",
        };
        var head = $"GPUs were asked for (CLUSTER_GPU=1 / OpenShell:Cluster:Gpu, mode '{mode}') but the Docker engine at {engine.Endpoint} (version {engine.ServerVersion}) cannot serve them that way: {nvidia}, and {cdi}.";
        string fix;
        if (mode == GpuModes.Legacy && engine.HasCdi)
        {
            fix = $"Set OpenShell:Cluster:GpuMode={GpuModes.Cdi} to use the engine's CDI devices, or register the NVIDIA runtime: 'sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker'.";
        }
        else if (mode == GpuModes.Cdi && engine.HasNvidiaRuntime)
        {
            fix = $"Set OpenShell:Cluster:GpuMode={GpuModes.Legacy} to use the NVIDIA runtime, or generate CDI specs on Docker 25+: 'sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml'.";
        }
        else
        {
            fix = "Install the NVIDIA driver and the NVIDIA Container Toolkit on the host (https://docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/install-guide.html), then " +
                (mode == GpuModes.Cdi
                    ? "on Docker 25 or later run 'sudo nvidia-ctk cdi generate --output=/etc/cdi/nvidia.yaml'"
                    : "run 'sudo nvidia-ctk runtime configure --runtime=docker && sudo systemctl restart docker'") +
                "; or unset CLUSTER_GPU to run without GPUs.";
        }

        return $"{head} {fix} Nothing was created.";
    }
}
