using System.Diagnostics;
using System.Text.Json.Nodes;
using Docker.DotNet;
using Docker.DotNet.Models;
using Microsoft.Extensions.Logging;
using OpenShell.KubeSim.Api;

namespace OpenShell.KubeSim.Kubelet;

/// <summary>
/// Runs one pod: a network holder (<c>sleep infinity</c> in the pause image) that joins the node's network with the pod's
/// host name, host aliases and Service DNS aliases, then one container per Kubernetes container sharing its network. The
/// pod's status follows the containers (Pending → Running → Succeeded/Failed), restarts follow <c>restartPolicy</c> with a
/// doubling back-off, and readiness follows the readiness probe. Stopping removes every container of the pod.
/// </summary>
internal sealed partial class PodWorker
{
    private static readonly TimeSpan s_configRetry = TimeSpan.FromSeconds(2);

    private readonly KubeletContext _context;
    private readonly JsonObject _pod;
    private readonly string _ns;
    private readonly string _name;
    private readonly string _uid;
    private readonly CancellationTokenSource _stopping = new();
    private readonly object _gate = new();
    private readonly Dictionary<string, ContainerRecord> _containers = new(StringComparer.Ordinal);
    private readonly List<JsonObject> _conditions = [];
    // When the pod was added to the node: its probes' tickers start here (ProbeSchedule).
    private readonly long _added = Stopwatch.GetTimestamp();
    private IReadOnlyList<string> _aliases;
    private string? _pauseId;
    private string _podIp = "";
    private string? _startTime;
    private Task _run = Task.CompletedTask;

    public PodWorker(KubeletContext context, JsonObject pod, IReadOnlyList<string> aliases)
    {
        _context = context;
        _pod = pod;
        _ns = Json.Namespace(pod);
        _name = Json.Name(pod);
        _uid = Json.Str(Json.At(pod, "metadata.uid")) ?? "";
        _aliases = aliases;
        foreach (var container in Containers(pod))
        {
            var name = Json.Str(container["name"]) ?? "";
            _containers[name] = new ContainerRecord(name, Json.Str(container["image"]) ?? "");
        }
    }

    public string Uid => _uid;

    public string Namespace => _ns;

    public string Name => _name;

    /// <summary>The engine id of a container of this pod once it was created, else null.</summary>
    public string? ContainerId(string container)
    {
        lock (_gate)
        {
            return _containers.TryGetValue(container, out var record) ? record.Id : null;
        }
    }

    public void Start() => _run = Task.Run(RunAsync);

    /// <summary>
    /// Stops the pod: its containers get the grace period (the delete's, else the pod's; at most 30 s), then everything of
    /// it is removed.
    /// </summary>
    public async Task StopAsync(long? grace)
    {
        await _stopping.CancelAsync().ConfigureAwait(false);
        await _run.ConfigureAwait(false);
        var seconds = (uint)Math.Clamp(grace ?? Json.Long(Json.At(_pod, "spec.terminationGracePeriodSeconds")) ?? 30, 0, 30);

        // A terminating pod leaves its Services at once, as Kubernetes takes it out of their endpoints: while it runs out its
        // grace period no new connection may reach it by a Service name (a new gateway's clients would land on the old one).
        await LeaveServicesAsync().ConfigureAwait(false);
        string?[] ids;
        lock (_gate)
        {
            ids = [.. _containers.Values.Select(c => c.Id)];
        }

        await Task.WhenAll(ids.OfType<string>().Select(id => RemoveAsync(id, seconds))).ConfigureAwait(false);
        if (_pauseId is { } pause)
        {
            await RemoveAsync(pause, 0).ConfigureAwait(false);
        }

        _stopping.Dispose();
    }

    private async Task LeaveServicesAsync()
    {
        IReadOnlyList<string> aliases;
        lock (_gate)
        {
            aliases = _aliases;
        }

        if (_pauseId is not { } pause || aliases.Count == 0)
        {
            return;
        }

        try
        {
            var docker = _context.Docker;
            await docker.Networks.DisconnectNetworkAsync(_context.Node.Network, new NetworkDisconnectParameters { Container = pause, Force = true }).ConfigureAwait(false);
            await docker.Networks.ConnectNetworkAsync(_context.Node.Network, new NetworkConnectParameters { Container = pause, EndpointConfig = new EndpointSettings() }).ConfigureAwait(false);
        }
        catch (DockerApiException)
        {
            // Gone already: nothing can reach it by name.
        }
    }

    /// <summary>Re-joins the network with new Service aliases (the pod's IP may change: the engine assigns a new one).</summary>
    public async Task UpdateAliasesAsync(IReadOnlyList<string> aliases, CancellationToken ct)
    {
        lock (_gate)
        {
            if (_aliases.SequenceEqual(aliases, StringComparer.Ordinal))
            {
                return;
            }

            _aliases = aliases;
        }

        if (_pauseId is not { } pause || _stopping.IsCancellationRequested)
        {
            return; // The holder joins with the new aliases when it is created.
        }

        var docker = _context.Docker;
        await docker.Networks.DisconnectNetworkAsync(_context.Node.Network, new NetworkDisconnectParameters { Container = pause, Force = true }, ct).ConfigureAwait(false);
        await docker.Networks.ConnectNetworkAsync(_context.Node.Network, new NetworkConnectParameters
        {
            Container = pause,
            EndpointConfig = new EndpointSettings { Aliases = [.. aliases] },
        }, ct).ConfigureAwait(false);
        _podIp = await IpAsync(pause, ct).ConfigureAwait(false);
        Publish();
    }

    private async Task RunAsync()
    {
        var ct = _stopping.Token;
        try
        {
            SetCondition("PodScheduled", true);
            Publish();
            _pauseId = await CreatePauseAsync(ct).ConfigureAwait(false);
            _podIp = await IpAsync(_pauseId, ct).ConfigureAwait(false);
            _startTime = Json.Now();
            SetCondition("PodReadyToStartContainers", true);
            SetCondition("Initialized", true);
            Publish();
            await Task.WhenAll(Containers(_pod).Select(c => RunContainerAsync(c, ct))).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // Deleted.
        }
        catch (Exception e) when (e is DockerApiException or HttpRequestException or IOException)
        {
            LogPodFailed(_context.Logger, _ns, _name, e.Message);
            _context.Events.Record(_pod, PodEvents.Warning, "FailedCreatePodSandBox", $"Failed to create pod sandbox: {e.Message}");
        }
    }

    private async Task<string> CreatePauseAsync(CancellationToken ct)
    {
        var node = _context.Node;
        var hostAliases = ((Json.At(_pod, "spec.hostAliases") as JsonArray)?.OfType<JsonObject>() ?? [])
            .SelectMany(a => ((a["hostnames"] as JsonArray) ?? []).Select(h => $"{Json.Str(h)}:{Json.Str(a["ip"])}"));
        var outcome = await _context.Images.EnsureAsync(node.PauseImage, ImagePolicy.IfNotPresent, ct).ConfigureAwait(false);
        if (!outcome.Available)
        {
            throw new IOException(outcome.Error);
        }

        IReadOnlyList<string> aliases;
        lock (_gate)
        {
            aliases = _aliases;
        }

        var created = await _context.Docker.Containers.CreateContainerAsync(new CreateContainerParameters
        {
            Name = ContainerName(KubeletLabels.PauseContainer),
            Image = node.PauseImage,
            Entrypoint = ["sleep", "infinity"],
            Cmd = [],
            // The pause image is the node's, whose HEALTHCHECK probes a node: not this container's business.
            Healthcheck = ContainerBlueprint.NoHealthcheck,
            Hostname = Json.Str(Json.At(_pod, "spec.hostname")) ?? _name,
            Labels = Labels(KubeletLabels.PauseContainer),
            HostConfig = new HostConfig
            {
                NetworkMode = node.Network,
                Init = true,
                ExtraHosts = [.. node.ExtraHosts, .. hostAliases],
            },
            NetworkingConfig = new NetworkingConfig
            {
                EndpointsConfig = new Dictionary<string, EndpointSettings> { [node.Network] = new EndpointSettings { Aliases = [.. aliases] } },
            },
        }, ct).ConfigureAwait(false);
        try
        {
            await _context.Docker.Containers.StartContainerAsync(created.ID, new ContainerStartParameters(), ct).ConfigureAwait(false);
        }
        catch
        {
            await RemoveAsync(created.ID, 0).ConfigureAwait(false);
            throw;
        }

        return created.ID;
    }

    private async Task RunContainerAsync(JsonObject spec, CancellationToken ct)
    {
        var record = _containers[Json.Str(spec["name"]) ?? ""];
        var id = await CreateContainerAsync(spec, record, ct).ConfigureAwait(false);
        var policy = Json.Str(Json.At(_pod, "spec.restartPolicy")) ?? "Always";
        var backoff = _context.Options.RestartBackoff;
        var probes = new Probes(ContainerProbe.Startup(spec), ContainerProbe.Readiness(spec));
        while (true)
        {
            var terminated = await RunOnceAsync(id, record, probes, ct).ConfigureAwait(false);
            var exitCode = Json.Long(terminated["terminated"]?["exitCode"]) ?? 0;
            var restart = policy == "Always" || (policy == "OnFailure" && exitCode != 0);
            if (!restart)
            {
                Update(record, r => { r.State = terminated; r.Ready = false; r.Finished = true; });
                return;
            }

            Update(record, r =>
            {
                r.LastState = terminated;
                r.Ready = false;
                r.State = new JsonObject
                {
                    ["waiting"] = new JsonObject
                    {
                        ["reason"] = "CrashLoopBackOff",
                        ["message"] = $"back-off {backoff.TotalSeconds:0.#}s restarting failed container={record.Name} pod={_name}_{_ns}({_uid})",
                    },
                };
            });
            _context.Events.Record(_pod, PodEvents.Warning, "BackOff", $"Back-off restarting failed container {record.Name} in pod {_name}_{_ns}({_uid})");
            await Task.Delay(backoff, ct).ConfigureAwait(false);
            backoff = TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _context.Options.MaxRestartBackoff.Ticks));
            Update(record, r => r.RestartCount++);
        }
    }

    /// <summary>Starts the container, probes it while it runs, and returns its <c>terminated</c> state once it exits.</summary>
    private async Task<JsonObject> RunOnceAsync(string id, ContainerRecord record, Probes probes, CancellationToken ct)
    {
        try
        {
            await _context.Docker.Containers.StartContainerAsync(id, new ContainerStartParameters(), ct).ConfigureAwait(false);
        }
        catch (DockerApiException e)
        {
            // Like a runtime that cannot exec the entrypoint: the container terminates with 128 and StartError.
            var message = e.ResponseBody?.Trim() ?? e.Message;
            _context.Events.Record(_pod, PodEvents.Warning, "Failed", $"Error: failed to start container \"{record.Name}\": {message}");
            return new JsonObject
            {
                ["terminated"] = new JsonObject
                {
                    ["exitCode"] = 128,
                    ["reason"] = "StartError",
                    ["message"] = message,
                    ["startedAt"] = Json.Now(),
                    ["finishedAt"] = Json.Now(),
                    ["containerID"] = "docker://" + id,
                },
            };
        }

        var started = await _context.Docker.Containers.InspectContainerAsync(id, ct).ConfigureAwait(false);
        Update(record, r =>
        {
            r.State = new JsonObject { ["running"] = new JsonObject { ["startedAt"] = Timestamp(started.State.StartedAt) } };
            r.Started = true;
            r.StartupPassed = probes.Startup is null;
            r.Ready = probes.Startup is null && probes.Readiness is null;
        });
        _context.Events.Record(_pod, PodEvents.Normal, "Started", $"Started container {record.Name}");

        using var running = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var probing = ProbeAsync(probes, record, id, running.Token);
        await _context.Docker.Containers.WaitContainerAsync(id, ct).ConfigureAwait(false);
        await running.CancelAsync().ConfigureAwait(false);
        await probing.ConfigureAwait(false);

        var exited = await _context.Docker.Containers.InspectContainerAsync(id, ct).ConfigureAwait(false);
        var exitCode = exited.State.ExitCode;
        return new JsonObject
        {
            ["terminated"] = new JsonObject
            {
                ["exitCode"] = exitCode,
                ["reason"] = exited.State.OOMKilled ? "OOMKilled" : exitCode == 0 ? "Completed" : "Error",
                ["startedAt"] = Timestamp(exited.State.StartedAt),
                ["finishedAt"] = Timestamp(exited.State.FinishedAt),
                ["containerID"] = "docker://" + id,
            },
        };
    }

    /// <summary>Pulls, configures and creates the container (retrying pull and configuration failures), with its files in place.</summary>
    private async Task<string> CreateContainerAsync(JsonObject spec, ContainerRecord record, CancellationToken ct)
    {
        var policy = ImagePolicy.Effective(record.Image, Json.Str(spec["imagePullPolicy"]));
        var pullBackoff = _context.Options.RestartBackoff;
        while (true)
        {
            var outcome = await _context.Images.EnsureAsync(record.Image, policy, ct).ConfigureAwait(false);
            if (outcome.Available)
            {
                if (outcome.Warning is { } warning)
                {
                    _context.Events.Record(_pod, PodEvents.Warning, "PulledLocal", warning);
                }
                else
                {
                    _context.Events.Record(_pod, PodEvents.Normal, "Pulled", $"Container image \"{record.Image}\" ready ({policy})");
                }

                break;
            }

            _context.Events.Record(_pod, PodEvents.Warning, "Failed", outcome.Error!);
            Update(record, r => r.State = Waiting(r.PullFailures++ == 0 ? "ErrImagePull" : "ImagePullBackOff", outcome.Error!));
            await Task.Delay(pullBackoff, ct).ConfigureAwait(false);
            pullBackoff = TimeSpan.FromTicks(Math.Min(pullBackoff.Ticks * 2, _context.Options.MaxRestartBackoff.Ticks));
        }

        while (true)
        {
            try
            {
                var parameters = ContainerBlueprint.Create(_context, _pod, spec, ContainerName(record.Name), _pauseId!, _podIp, Labels(record.Name));
                using var files = PodFiles.Build(_context.Store, _pod, spec, _context.Node, _context.Token, _context.AuthorityPem);
                var created = await _context.Docker.Containers.CreateContainerAsync(parameters, ct).ConfigureAwait(false);
                Update(record, r => r.Id = created.ID);
                await _context.Docker.Containers.ExtractArchiveToContainerAsync(created.ID, new ContainerPathStatParameters { Path = "/" }, files, ct).ConfigureAwait(false);
                _context.Events.Record(_pod, PodEvents.Normal, "Created", $"Created container {record.Name}");
                return created.ID;
            }
            catch (PodConfigException e)
            {
                _context.Events.Record(_pod, PodEvents.Warning, "Failed", $"Error: {e.Message}");
                Update(record, r => r.State = Waiting("CreateContainerConfigError", e.Message));
                await Task.Delay(s_configRetry, ct).ConfigureAwait(false);
            }
        }
    }

    private async Task ProbeAsync(Probes probes, ContainerRecord record, string id, CancellationToken ct)
    {
        var started = SinceAdded();
        try
        {
            if (probes.Startup is { } startup)
            {
                if (!await StartupAsync(startup, record, id, started, ct).ConfigureAwait(false))
                {
                    return;
                }

                Update(record, r => { r.StartupPassed = true; r.Ready = probes.Readiness is null; });
            }

            if (probes.Readiness is { } readiness)
            {
                // Once a startup probe passed, the kubelet's prober manager triggers a readiness run at once for a started
                // container that is not ready yet (still only once it ran for the initial delay); else on its ticker.
                var now = SinceAdded();
                var first = probes.Startup is not null && now >= started + readiness.InitialDelay
                    ? now
                    : ProbeSchedule.First(started, readiness.InitialDelay, readiness.Period);
                await ReadinessAsync(readiness, record, id, first, ct).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The container stopped.
        }
        catch (PodConfigException e)
        {
            _context.Events.Record(_pod, PodEvents.Warning, "Unhealthy", $"Probe errored: {e.Message}");
        }
    }

    // Probes until the startup probe passes (true), or kills the container after FailureThreshold failures in a row (false).
    private async Task<bool> StartupAsync(ContainerProbe probe, ContainerRecord record, string id, TimeSpan started, CancellationToken ct)
    {
        var at = ProbeSchedule.First(started, probe.InitialDelay, probe.Period);
        for (var failures = 0; ;)
        {
            await UntilAsync(at, ct).ConfigureAwait(false);
            if (await probe.RunAsync(_context.Docker, id, _podIp, _context.ProbeHttp, ct).ConfigureAwait(false))
            {
                return true;
            }

            if (++failures >= probe.FailureThreshold)
            {
                _context.Events.Record(_pod, PodEvents.Warning, "Unhealthy", $"Startup probe failed {failures} times in a row");
                _context.Events.Record(_pod, PodEvents.Normal, "Killing", $"Container {record.Name} failed startup probe, will be restarted");
                await _context.Docker.Containers.KillContainerAsync(id, new ContainerKillParameters(), ct).ConfigureAwait(false);
                return false;
            }

            at = ProbeSchedule.Next(at, SinceAdded(), probe.Period);
        }
    }

    private async Task ReadinessAsync(ContainerProbe probe, ContainerRecord record, string id, TimeSpan first, CancellationToken ct)
    {
        int successes = 0, failures = 0;
        for (var at = first; !ct.IsCancellationRequested; at = ProbeSchedule.Next(at, SinceAdded(), probe.Period))
        {
            await UntilAsync(at, ct).ConfigureAwait(false);
            var ok = await probe.RunAsync(_context.Docker, id, _podIp, _context.ProbeHttp, ct).ConfigureAwait(false);
            (successes, failures) = ok ? (successes + 1, 0) : (0, failures + 1);
            if (ok && successes >= probe.SuccessThreshold)
            {
                Update(record, r => r.Ready = true);
            }
            else if (!ok && failures >= probe.FailureThreshold)
            {
                if (failures == probe.FailureThreshold)
                {
                    // As the kubelet's "Unhealthy" event: why a Service stopped forwarding to the pod.
                    _context.Events.Record(_pod, PodEvents.Warning, "Unhealthy", $"Readiness probe failed {failures} times in a row: the pod is not ready");
                }

                Update(record, r => r.Ready = false);
            }
        }
    }

    private TimeSpan SinceAdded() => Stopwatch.GetElapsedTime(_added);

    private async Task UntilAsync(TimeSpan at, CancellationToken ct)
    {
        var wait = at - SinceAdded();
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, ct).ConfigureAwait(false);
        }
    }

    // A container's startup and readiness probes (either may be absent).
    private sealed record Probes(ContainerProbe? Startup, ContainerProbe? Readiness);

    private void Update(ContainerRecord record, Action<ContainerRecord> change)
    {
        lock (_gate)
        {
            change(record);
        }

        Publish();
    }

    /// <summary>Writes the pod's status from the containers' records (unless the pod is gone or replaced).</summary>
    private void Publish()
    {
        JsonObject status;
        lock (_gate)
        {
            status = Status();
        }

        try
        {
            _context.Store.Update(ResourceCatalog.Pods, _ns, _name, pod =>
            {
                if (Json.Str(Json.At(pod, "metadata.uid")) == _uid)
                {
                    pod["status"] = status.DeepClone();
                }

                return pod;
            }, statusOnly: true);
        }
        catch (KubeApiException)
        {
            // Deleted meanwhile.
        }
    }

    private JsonObject Status()
    {
        var records = _containers.Values.ToList();
        var allReady = records.Count > 0 && records.TrueForAll(r => r.Ready);
        SetCondition("ContainersReady", allReady);
        SetCondition("Ready", allReady);
        string phase;
        if (records.TrueForAll(r => r.Finished))
        {
            phase = records.TrueForAll(r => Json.Long(r.State?["terminated"]?["exitCode"]) == 0) ? "Succeeded" : "Failed";
        }
        else
        {
            phase = records.Exists(r => r.Started) ? "Running" : "Pending";
        }

        var status = new JsonObject
        {
            ["phase"] = phase,
            ["conditions"] = new JsonArray([.. _conditions.Select(c => c.DeepClone())]),
            ["hostIP"] = Controllers.SimulatedNode.InternalIp,
            ["hostIPs"] = new JsonArray(new JsonObject { ["ip"] = Controllers.SimulatedNode.InternalIp }),
            ["qosClass"] = "BestEffort",
            ["containerStatuses"] = new JsonArray([.. records.Select(r => (JsonNode)r.ToJson())]),
        };
        if (_podIp.Length > 0)
        {
            status["podIP"] = _podIp;
            status["podIPs"] = new JsonArray(new JsonObject { ["ip"] = _podIp });
        }

        if (_startTime is not null)
        {
            status["startTime"] = _startTime;
        }

        return status;
    }

    private void SetCondition(string type, bool value)
    {
        var text = value ? "True" : "False";
        var existing = _conditions.Find(c => Json.Str(c["type"]) == type);
        if (existing is not null && Json.Str(existing["status"]) == text)
        {
            return;
        }

        _conditions.RemoveAll(c => Json.Str(c["type"]) == type);
        _conditions.Add(new JsonObject { ["type"] = type, ["status"] = text, ["lastProbeTime"] = null, ["lastTransitionTime"] = Json.Now() });
    }

    private async Task<string> IpAsync(string id, CancellationToken ct)
    {
        var inspected = await _context.Docker.Containers.InspectContainerAsync(id, ct).ConfigureAwait(false);
        return inspected.NetworkSettings?.Networks?.TryGetValue(_context.Node.Network, out var endpoint) == true ? endpoint.IPAddress ?? "" : "";
    }

    private async Task RemoveAsync(string id, uint graceSeconds)
    {
        try
        {
            if (graceSeconds > 0)
            {
                await _context.Docker.Containers.StopContainerAsync(id, new ContainerStopParameters { WaitBeforeKillSeconds = graceSeconds }).ConfigureAwait(false);
            }

            await _context.Docker.Containers.RemoveContainerAsync(id, new ContainerRemoveParameters { Force = true }).ConfigureAwait(false);
        }
        catch (DockerContainerNotFoundException)
        {
            // Already gone.
        }
        catch (DockerApiException e)
        {
            LogRemoveFailed(_context.Logger, id, e.Message);
        }
    }

    private string ContainerName(string container) =>
        $"{_context.Node.NodeId}_{_ns}_{_name}_{container}_{_uid[..Math.Min(8, _uid.Length)]}";

    private Dictionary<string, string> Labels(string container) => new()
    {
        [KubeletLabels.Node] = _context.Node.NodeId,
        [KubeletLabels.PodUid] = _uid,
        [KubeletLabels.PodName] = _name,
        [KubeletLabels.PodNamespace] = _ns,
        [KubeletLabels.Container] = container,
    };

    private static IEnumerable<JsonObject> Containers(JsonObject pod) =>
        (Json.At(pod, "spec.containers") as JsonArray)?.OfType<JsonObject>() ?? [];

    private static JsonObject Waiting(string reason, string message) =>
        new() { ["waiting"] = new JsonObject { ["reason"] = reason, ["message"] = message } };

    private static string Timestamp(string? engineTime) =>
        DateTimeOffset.TryParse(engineTime, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var t) ? Json.Timestamp(t) : Json.Now();

    [LoggerMessage(Level = LogLevel.Warning, Message = "pod {Namespace}/{Name} could not start: {Reason}")]
    private static partial void LogPodFailed(ILogger logger, string @namespace, string name, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "removing container {Id} failed: {Reason}")]
    private static partial void LogRemoveFailed(ILogger logger, string id, string reason);

    /// <summary>What the pod's status says about one container.</summary>
    private sealed class ContainerRecord(string name, string image)
    {
        public string Name { get; } = name;

        public string Image { get; } = image;

        public string? Id { get; set; }

        public JsonObject? State { get; set; } = Waiting("ContainerCreating", "");

        public JsonObject? LastState { get; set; }

        public bool Started { get; set; }

        // The startup probe passed (or there is none): containerStatuses[].started.
        public bool StartupPassed { get; set; }

        public bool Ready { get; set; }

        public bool Finished { get; set; }

        public int RestartCount { get; set; }

        public int PullFailures { get; set; }

        public JsonObject ToJson()
        {
            var json = new JsonObject
            {
                ["name"] = Name,
                ["image"] = Image,
                ["imageID"] = Image,
                ["ready"] = Ready,
                ["started"] = Started && StartupPassed && State?["running"] is not null,
                ["restartCount"] = RestartCount,
                ["state"] = State?.DeepClone(),
                ["lastState"] = LastState?.DeepClone() ?? new JsonObject(),
            };
            if (Id is not null)
            {
                json["containerID"] = "docker://" + Id;
            }

            return json;
        }
    }
}
