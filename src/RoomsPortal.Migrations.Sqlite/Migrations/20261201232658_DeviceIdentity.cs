using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace RoomsPortal.Migrations.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class DeviceIdentity : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // SQLite ignores a TEXT column's length, so the longer key needs no AlterColumn (which would rebuild the tables).
            // The key moves from the serial alone to make + model + serial (DeviceInfo.KeyOf: each trimmed and upper case,
            // joined by U+001F). Existing rows keep their data: the serial part is the old key, computed by the portal.
            migrationBuilder.DropIndex(
                name: "IX_SetupFailure_SerialKey_OccurredAt",
                table: "SetupFailure");

            migrationBuilder.DropIndex(
                name: "IX_Device_SerialKey",
                table: "Device");

            migrationBuilder.RenameColumn(
                name: "SerialKey",
                table: "SetupFailure",
                newName: "DeviceKey");

            migrationBuilder.RenameColumn(
                name: "SerialKey",
                table: "Device",
                newName: "DeviceKey");

            migrationBuilder.RenameColumn(
                name: "SerialKey",
                table: "ApprovalRequest",
                newName: "DeviceKey");

            migrationBuilder.AddColumn<string>(
                name: "DeviceKey",
                table: "ConsoleSession",
                type: "TEXT",
                maxLength: 266,
                nullable: false,
                defaultValue: "");

            migrationBuilder.AddColumn<DateTime>(
                name: "RevokedAtUtc",
                table: "ConsoleSession",
                type: "TEXT",
                nullable: true);

            // Failures recorded before keep their serial-only key: they still count on the dashboard, but no longer toward
            // a lockout (whose window is half an hour), since no make or model was recorded with them.
            migrationBuilder.Sql("UPDATE \"Device\" SET \"DeviceKey\" = UPPER(TRIM(\"Make\")) || char(31) || UPPER(TRIM(\"Model\")) || char(31) || \"DeviceKey\";");
            migrationBuilder.Sql("UPDATE \"ApprovalRequest\" SET \"DeviceKey\" = UPPER(TRIM(\"Make\")) || char(31) || UPPER(TRIM(\"Model\")) || char(31) || \"DeviceKey\";");
            migrationBuilder.Sql("UPDATE \"ConsoleSession\" SET \"DeviceKey\" = UPPER(TRIM(\"Make\")) || char(31) || UPPER(TRIM(\"Model\")) || char(31) || UPPER(TRIM(\"SerialNumber\"));");

            migrationBuilder.CreateIndex(
                name: "IX_SetupFailure_DeviceKey_OccurredAt",
                table: "SetupFailure",
                columns: new[] { "DeviceKey", "OccurredAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Device_DeviceKey",
                table: "Device",
                column: "DeviceKey",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "IX_ConsoleSession_DeviceKey_IssuedAtUtc",
                table: "ConsoleSession",
                columns: new[] { "DeviceKey", "IssuedAtUtc" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            // Back to the serial alone. This fails (unique index) while two consoles of different makes share a serial.
            migrationBuilder.DropIndex(
                name: "IX_SetupFailure_DeviceKey_OccurredAt",
                table: "SetupFailure");

            migrationBuilder.DropIndex(
                name: "IX_Device_DeviceKey",
                table: "Device");

            migrationBuilder.DropIndex(
                name: "IX_ConsoleSession_DeviceKey_IssuedAtUtc",
                table: "ConsoleSession");

            migrationBuilder.Sql("UPDATE \"Device\" SET \"DeviceKey\" = UPPER(TRIM(\"Serial\"));");
            migrationBuilder.Sql("UPDATE \"ApprovalRequest\" SET \"DeviceKey\" = UPPER(TRIM(\"Serial\"));");
            migrationBuilder.Sql("UPDATE \"SetupFailure\" SET \"DeviceKey\" = substr(substr(\"DeviceKey\", instr(\"DeviceKey\", char(31)) + 1), instr(substr(\"DeviceKey\", instr(\"DeviceKey\", char(31)) + 1), char(31)) + 1) WHERE \"DeviceKey\" LIKE '%' || char(31) || '%';");

            migrationBuilder.DropColumn(
                name: "DeviceKey",
                table: "ConsoleSession");

            migrationBuilder.DropColumn(
                name: "RevokedAtUtc",
                table: "ConsoleSession");

            migrationBuilder.RenameColumn(
                name: "DeviceKey",
                table: "SetupFailure",
                newName: "SerialKey");

            migrationBuilder.RenameColumn(
                name: "DeviceKey",
                table: "Device",
                newName: "SerialKey");

            migrationBuilder.RenameColumn(
                name: "DeviceKey",
                table: "ApprovalRequest",
                newName: "SerialKey");

            migrationBuilder.CreateIndex(
                name: "IX_SetupFailure_SerialKey_OccurredAt",
                table: "SetupFailure",
                columns: new[] { "SerialKey", "OccurredAt" });

            migrationBuilder.CreateIndex(
                name: "IX_Device_SerialKey",
                table: "Device",
                column: "SerialKey",
                unique: true);
        }
    }
}
