using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.SqlServer.TransactSql.ScriptDom;
using RoomsPortal.Core.Persistence;
using RoomsPortal.Migrations.SqlServer;

namespace RoomsPortal.Web.Tests.Database;

/// <summary>No SQL Server engine runs here, so the migrations' script is parsed as T-SQL instead of executed.</summary>
public sealed class SqlServerScriptTests
{
    [Fact]
    public void SqlServer_migrations_script_is_valid_T_SQL_and_has_no_pending_model_changes()
    {
        var options = new DbContextOptionsBuilder<PortalDbContext>();
        options.UsePortalSqlServer("Server=offline;Database=RoomsPortal;TrustServerCertificate=true");
        using var db = new PortalDbContext(options.Options);

        var script = db.GetService<IMigrator>().GenerateScript(options: MigrationsSqlGenerationOptions.Idempotent);

        var parser = new TSql170Parser(initialQuotedIdentifiers: true);
        using var reader = new StringReader(script);
        parser.Parse(reader, out var errors);
        Assert.Empty(errors.Select(e => $"line {e.Line}: {e.Message}"));
        Assert.Contains("CREATE TABLE [RoomGroups]", script, StringComparison.Ordinal);
        Assert.False(db.Database.HasPendingModelChanges(), "the SQL Server migrations are behind the model: add a migration");
    }
}
