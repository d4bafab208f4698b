// Saves text produced on the server (CSV exports) as a file, without putting it in a URL.
window.roomsPortal = window.roomsPortal || {};
window.roomsPortal.downloadText = function (fileName, contentType, text) {
    const blob = new Blob([text], { type: contentType });
    const url = URL.createObjectURL(blob);
    const link = document.createElement('a');
    link.href = url;
    link.download = fileName;
    document.body.appendChild(link);
    link.click();
    link.remove();
    URL.revokeObjectURL(url);
};
