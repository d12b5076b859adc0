using Aspire.Hosting.ApplicationModel;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using OpenShell.AppHost.Sandboxes;

namespace Aspire.Hosting;

/// <summary>Adds the gateway's sandboxes to the dashboard, with their commands.</summary>
public static class SandboxBuilderExtensions
{
    /// <summary>
    /// Shows each sandbox of <paramref name="gateway"/> as its child (state from the gateway's WatchAll stream; image,
    /// supervisor version and sha256, the node's binary sha256, "stale supervisor"), with Delete and Restart; gives the
    /// gateway "Create sandbox" (asks for the <c>--from</c> name) and "Restart stale sandboxes".
    /// </summary>
    /// <param name="gateway">The gateway component.</param>
    /// <param name="name">The sandboxes' id prefix on the dashboard (default <c>&lt;gateway&gt;-sandbox</c>).</param>
    public static IResourceBuilder<OpenShellSandboxResource> WithOpenShellSandboxes<T>(this IResourceBuilder<T> gateway, string? name = null)
        where T : IResource
    {
        ArgumentNullException.ThrowIfNull(gateway);
        name ??= $"{gateway.Resource.Name}-sandbox";
        var builder = gateway.ApplicationBuilder;
        builder.Services.TryAddSingleton<ISandboxGateway, SessionSandboxGateway>();
        builder.Services.TryAddSingleton<SandboxDashboard>();

        gateway
            .WithCommand(SandboxCommands.Create, "Create sandbox", SandboxCommands.CreateAsync, new CommandOptions
            {
                Description = "Create a sandbox and wait until its supervisor registers.",
                IconName = "BoxMultipleArrowRight",
                Arguments =
                [
                    new InteractionInput { Name = SandboxCommands.FromArgument, Label = "From", InputType = InputType.Text, Required = false, Placeholder = "base (a community sandbox name) or an image reference" },
                    new InteractionInput { Name = SandboxCommands.NameArgument, Label = "Name", InputType = InputType.Text, Required = false, Placeholder = "generated when empty" },
                ],
            })
            .WithCommand(SandboxCommands.RestartStale, "Restart stale sandboxes", SandboxCommands.RestartStaleAsync, new CommandOptions
            {
                Description = "Restart every ready sandbox whose supervisor differs from the node's binary.",
                IconName = "ArrowClockwise",
            });

        var sandboxes = builder.AddResource(new OpenShellSandboxResource(name, gateway.Resource));
        return sandboxes
            .WithInitialState(new CustomResourceSnapshot
            {
                ResourceType = OpenShellSandboxResource.ResourceType,
                State = KnownResourceStates.NotStarted,
                IsHidden = true,
                Properties = [],
            })
            .WithParentRelationship(gateway.Resource)
            .ExcludeFromManifest()
            .WithCommand(SandboxCommands.Delete, "Delete", ctx => SandboxCommands.DeleteAsync(ctx, sandboxes.Resource), new CommandOptions
            {
                Description = "Delete this sandbox.",
                IconName = "Delete",
                ConfirmationMessage = "Delete this sandbox?",
                UpdateState = SandboxCommands.WhenShown,
            })
            .WithCommand(SandboxCommands.Restart, "Restart", ctx => SandboxCommands.RestartAsync(ctx, sandboxes.Resource), new CommandOptions
            {
                Description = "Recreate this sandbox's pod (same image and command) so it runs the node's current supervisor.",
                IconName = "ArrowClockwise",
                UpdateState = SandboxCommands.WhenShown,
            })
            .OnInitializeResource((resource, e, ct) =>
            {
                var dashboard = e.Services.GetRequiredService<SandboxDashboard>();
                var stopping = e.Services.GetRequiredService<IHostApplicationLifetime>().ApplicationStopping;
                // RunAsync lets nothing escape (failures are logged and retried); the task is kept on the dashboard.
                dashboard.Start(resource, stopping);
                return Task.CompletedTask;
            });
    }
}
