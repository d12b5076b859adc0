using OpenShell.DevLoop.Configuration;

var builder = DistributedApplication.CreateBuilder(args);
var settings = OpenShellSettings.From(builder.Configuration);

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
