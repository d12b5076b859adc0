using System.Text.RegularExpressions;
using Grpc.Core;
using Microsoft.Extensions.Logging;
using OpenShell.Core.V1;
using OpenShell.Server.Configuration;
using OpenShell.Server.Hosting;
using OpenShell.Server.Sandboxes;

namespace OpenShell.Server.Services;

/// <summary>Supervisors register, heartbeat and report their workload's exit here.</summary>
internal sealed partial class SupervisorGrpcService(SupervisorRegistry registry, GatewayOptions options, ILogger<SupervisorGrpcService> logger)
    : Supervisor.SupervisorBase
{
    public override Task<RegisterResponse> Register(RegisterRequest request, ServerCallContext context)
    {
        RequireSandboxId(request.SandboxId);
        if (!Sha256Hex().IsMatch(request.BinarySha256))
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "binary_sha256 must be 64 lowercase hex digits"));
        }

        registry.Register(request.SandboxId, request.SupervisorVersion, request.BinarySha256);
        Log.SupervisorRegistered(logger, request.SandboxId, request.SupervisorVersion, request.BinarySha256);
        return Task.FromResult(new RegisterResponse { HeartbeatIntervalSeconds = (int)Math.Max(1, options.HeartbeatInterval.TotalSeconds) });
    }

    public override Task<HeartbeatResponse> Heartbeat(HeartbeatRequest request, ServerCallContext context)
    {
        RequireSandboxId(request.SandboxId);
        return registry.Heartbeat(request.SandboxId)
            ? Task.FromResult(new HeartbeatResponse())
            : throw NotRegistered(request.SandboxId);
    }

    public override Task<ReportExitResponse> ReportExit(ReportExitRequest request, ServerCallContext context)
    {
        RequireSandboxId(request.SandboxId);
        if (!registry.ReportExit(request.SandboxId, request.ExitCode, request.Signal))
        {
            throw NotRegistered(request.SandboxId);
        }

        Log.WorkloadExited(logger, request.SandboxId, request.ExitCode, request.Signal);
        return Task.FromResult(new ReportExitResponse());
    }

    private static void RequireSandboxId(string sandboxId)
    {
        if (SandboxName.Problem(sandboxId) is { } problem)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, problem));
        }
    }

    private static RpcException NotRegistered(string sandboxId) =>
        new(new Status(StatusCode.FailedPrecondition, $"sandbox '{sandboxId}' has not registered with this gateway: call Register first"));

    [GeneratedRegex("^[0-9a-f]{64}$", RegexOptions.CultureInvariant)]
    private static partial Regex Sha256Hex();
}
