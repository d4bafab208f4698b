using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace RoomsPortal.Migrations.SqlServer.Migrations
{
    /// <inheritdoc />
    public partial class NotificationSourceAddress : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "SourceAddress",
                table: "NotificationEvent",
                type: "nvarchar(64)",
                maxLength: 64,
                nullable: true);

            migrationBuilder.CreateIndex(
                name: "IX_NotificationEvent_Type_SourceAddress_OccurredAt",
                table: "NotificationEvent",
                columns: new[] { "Type", "SourceAddress", "OccurredAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "IX_NotificationEvent_Type_SourceAddress_OccurredAt",
                table: "NotificationEvent");

            migrationBuilder.DropColumn(
                name: "SourceAddress",
                table: "NotificationEvent");
        }
    }
}
