using Driftwatch.Jobs.Running;
using Shouldly;

namespace Driftwatch.Jobs.Tests.Running;

public sealed class RunJobOptionsTests
{
    [Fact]
    public void Sandboxes_hide_the_database_its_side_files_and_its_artifact_folder() =>
        // Past trials' diffs and transcripts are in the folder: an agent must see none of them
        RunJobOptions.DatabaseFiles("/data/dw.db").ShouldBe(["/data/dw.db", "/data/dw.db-wal", "/data/dw.db-shm", "/data/dw.db-journal", "/data/dw.db.artifacts"]);
}
