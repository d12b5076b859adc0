using Docker.DotNet;
using Microsoft.Extensions.Logging;
using OpenShell.KubeSim.Store;

namespace OpenShell.KubeSim.Kubelet;

/// <summary>What every pod worker shares: the engine, the store, the node facts, the credentials pods get, and the knobs.</summary>
internal sealed record KubeletContext(
    IDockerClient Docker,
    ObjectStore Store,
    KubeletNode Node,
    KubeletOptions Options,
    PodImages Images,
    PodEvents Events,
    HttpClient ProbeHttp,
    string Token,
    string AuthorityPem,
    ILogger Logger);
