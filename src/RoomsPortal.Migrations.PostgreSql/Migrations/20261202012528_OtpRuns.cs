using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace RoomsPortal.Migrations.PostgreSql.Migrations
{
    /// <inheritdoc />
    public partial class OtpRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "OtpRun",
                columns: table => new
                {
                    Id = table.Column<Guid>(type: "uuid", nullable: false),
                    CreatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    CreatedBy = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    CreatedByName = table.Column<string>(type: "character varying(256)", maxLength: 256, nullable: false),
                    Mode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    AccountCount = table.Column<int>(type: "integer", nullable: false),
                    IssuedCount = table.Column<int>(type: "integer", nullable: false),
                    State = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    UpdatedAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ShownAt = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("PK_OtpRun", x => x.Id);
                });

            migrationBuilder.CreateIndex(
                name: "IX_OneTimePassword_BatchId",
                table: "OneTimePassword",
                column: "BatchId");

            migrationBuilder.CreateIndex(
                name: "IX_OtpRun_State_UpdatedAt",
                table: "OtpRun",
                columns: new[] { "State", "UpdatedAt" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "OtpRun");

            migrationBuilder.DropIndex(
                name: "IX_OneTimePassword_BatchId",
                table: "OneTimePassword");
        }
    }
}
