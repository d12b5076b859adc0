using OpenShell.DevLoop.Builders;
using OpenShell.DevLoop.ImageAssembly;
using OpenShell.Testing;

namespace OpenShell.DevLoop.Tests.ImageAssembly;

public sealed class AppCopyInstructionTests
{
    public static TheoryData<string, string?, int, int> Dockerfiles => new()
    {
        { "FROM base\nCOPY runtime/ /srv/\nCOPY app/ /srv/\nUSER 1:1\n", "/srv", 0, 0 },
        { "FROM base\nCOPY --chown=10001:10002 app/ /opt/app\n", "/opt/app", 10001, 10002 },
        { "FROM base\nCOPY --chown=10001 ./app /opt/app/\n", "/opt/app", 10001, 10001 },
        { "FROM build AS b\nCOPY app/ /x/\nFROM base\nCOPY app/ /srv/\n", "/srv", 0, 0 },
        // Each of these is left to the engine: no app COPY in the final stage, two of them, a relative destination,
        // an owner by name, another flag.
        { "FROM base\nCOPY runtime/ /srv/\n", null, 0, 0 },
        { "FROM build AS b\nCOPY app/ /x/\nFROM base\nCOPY --from=b /x /x\n", null, 0, 0 },
        { "FROM base\nCOPY app/ /a/\nCOPY app/ /b/\n", null, 0, 0 },
        { "FROM base\nWORKDIR /srv\nCOPY app/ server/\n", null, 0, 0 },
        { "FROM base\nCOPY --chown=app:app app/ /srv/\n", null, 0, 0 },
        { "FROM base\nCOPY --link app/ /srv/\n", null, 0, 0 },
        { "FROM base\nRUN echo \\\nCOPY app/ /srv/\n", null, 0, 0 },
    };

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void Finds_the_app_copy_of_the_final_stage_or_leaves_the_image_to_the_engine(string dockerfile, string? destination, int uid, int gid)
    {
        var copy = AppCopyInstruction.Find(dockerfile);

        Assert.Equal(destination, copy?.Destination);
        if (copy is not null)
        {
            Assert.Equal((uid, gid), (copy.Uid, copy.Gid));
            Assert.DoesNotContain(copy.Instruction, copy.BaseDockerfile, StringComparison.Ordinal);
            Assert.Equal(dockerfile.Split('\n').Length - 1, copy.BaseDockerfile.Split('\n').Length);
        }
    }

    [Fact]
    public void The_gateway_dockerfile_puts_the_app_beside_the_runtime_and_keeps_everything_else_in_the_base()
    {
        var dockerfile = File.ReadAllText(Path.Combine(RepositoryPaths.Root, GatewayImageBuilder.DockerfilePath));

        var copy = AppCopyInstruction.Find(dockerfile);

        Assert.NotNull(copy);
        Assert.Equal("/opt/openshell/server", copy.Destination);
        Assert.Equal((0, 0), (copy.Uid, copy.Gid));
        Assert.Contains("COPY runtime/ /opt/openshell/server/", copy.BaseDockerfile, StringComparison.Ordinal);
        Assert.Contains("ENTRYPOINT [\"openshell-server\", \"--port\", \"8080\"]", copy.BaseDockerfile, StringComparison.Ordinal);
        Assert.Contains("USER 10001:10001", copy.BaseDockerfile, StringComparison.Ordinal);
        Assert.DoesNotContain(copy.BaseDockerfile.Split('\n'), l => l.TrimStart().StartsWith("COPY app/", StringComparison.Ordinal));
    }
}
