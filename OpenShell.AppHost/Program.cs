using OpenShell.DevLoop.Configuration;

var builder = DistributedApplication.CreateBuilder(args);
// Settings files, the checkout's .env, upstream and OpenShell__ variables and switches, resolved once.
var (settings, _, _) = SettingsLoader.Resolve(
    builder.Configuration, Path.GetFullPath(Path.Combine(builder.AppHostDirectory, "..")), UpstreamVariables.ProcessEnvironment());

var registry = builder.AddOpenShellRegistry("registry", settings);

if (builder.ExecutionContext.IsPublishMode)
{
    // What a deployment needs: the two images and their registry credentials. The dev loop itself is not deployed.
    builder.AddOpenShellPublishModel(settings, registry);
}
else
{
    builder.AddOpenShellDevLoop(settings, registry);
}

builder.Build().Run();
