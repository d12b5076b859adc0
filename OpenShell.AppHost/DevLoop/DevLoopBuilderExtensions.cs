using Aspire.Hosting.ApplicationModel;
using Docker.DotNet;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using OpenShell.AppHost.Cluster;
using OpenShell.AppHost.Components;
using OpenShell.AppHost.DevLoop;
using OpenShell.AppHost.RuntimeBundle;
using OpenShell.AppHost.Watcher;
using OpenShell.DevLoop.Cluster;
using OpenShell.DevLoop.Components;
using OpenShell.AppHost.Telemetry;
using OpenShell.DevLoop.Configuration;
using OpenShell.DevLoop.Docker;
using OpenShell.DevLoop.Engine;
using OpenShell.DevLoop.Session;

namespace Aspire.Hosting;

/// <summary>
/// Adds OpenShell's dev loop to the app model: the runtime bundle, the cluster, one resource per component of
/// <c>deploy/dev/components.json</c>, and the watcher, all projections of one <see cref="DevSession"/> (the same one
/// <c>openshell-dev</c> runs).
/// </summary>
public static class DevLoopBuilderExtensions
{
    /// <summary>Adds every dev-loop resource; the cluster waits for <paramref name="registry"/>.</summary>
    /// <param name="builder">The application builder.</param>
    /// <param name="settings">The resolved settings (see <see cref="SettingsLoader"/>).</param>
    /// <param name="registry">The local registry the cluster pulls from.</param>
    public static IResourceBuilder<OpenShellClusterResource> AddOpenShellDevLoop(
        this IDistributedApplicationBuilder builder, OpenShellSettings settings, IResourceBuilder<LocalRegistryResource> registry)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(registry);

        var root = settings.DevHost.RepositoryRoot ?? Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        settings.DevHost.RepositoryRoot = root;
        var catalog = ComponentCatalog.Load(root);
        var resources = new DevLoopResources();
        builder.Services.TryAddSingleton(settings);
        builder.Services.TryAddSingleton(resources);
        builder.Services.TryAddSingleton<IDockerClient>(_ => DockerEngine.CreateClient(settings.Engine));
        // The cluster's API and gateway and the registry, as this machine dials them (SSH forwards for an ssh:// engine).
        builder.Services.TryAddSingleton(_ => DockerEngine.Ports(settings));
        builder.Services.TryAddSingleton(services =>
        {
            var docker = services.GetRequiredService<IDockerClient>();
            var ports = services.GetRequiredService<IEnginePorts>();
            var engine = DockerEngine.Connection(settings.Engine);
            return DevSessionServices.ForDocker(docker, settings, services.GetRequiredService<ResourceLoggerService>().GetLogger(DevSession.DeployScope), ports: ports, warmCompile: true) with
            {
                // The dashboard shows the engine and its forwards, and brings them back when they drop.
                Engine = new EngineWatch(new DockerEngineProbe(docker, engine, ports), engine.ToString()),
            };
        });
        builder.Services.TryAddSingleton(services => new DevSession(
            settings, services.GetRequiredService<DevSessionServices>(), scope => services.GetRequiredService<ResourceLoggerService>().GetLogger(scope)));
        builder.Services.TryAddSingleton<DevLoopDashboard>();
        builder.AddDevLoopTelemetry();

        var paths = new ClusterPaths(root, ClusterName.Resolve(settings.Cluster.Name, root));
        var bundle = builder.AddRuntimeBundle(DevSession.BundleScope);
        resources.RuntimeBundle = bundle.Resource;

        var cluster = builder.AddClusterNode(DevSession.ClusterScope, settings, paths).WaitFor(registry).WaitFor(bundle);
        resources.Cluster = cluster.Resource;

        foreach (var component in catalog.Components)
        {
            var resource = builder.AddComponent(cluster, component);

            // Only the image the catalogue marks as the gateway is checked as the gateway: the check calls the cluster's
            // gateway port over mTLS (offline, reads the gateway's StatefulSet), which no other image serves, so it would
            // report the gateway's health as theirs.
            if (component.Image is { IsGateway: true })
            {
                var healthKey = $"{component.Name}_health";
                // One instance, so the check's Kubernetes client is kept between checks.
                builder.Services.AddSingleton<GatewayHealth>();
                builder.Services.AddHealthChecks().AddCheck<GatewayHealth>(healthKey);
                resource.WithHealthCheck(healthKey);
                resource.WithOpenShellSandboxes();
            }

            resources.Components[component.Name] = (resource.Resource, component);
        }

        resources.Watcher = builder.AddWatcher(DevSession.DeployScope, cluster, settings.DevHost.WatchEnabled).Resource;
        return cluster;
    }
}
