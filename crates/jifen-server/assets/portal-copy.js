// The gift link page's copy button: copies the link beside it. Without script the link stays
// in a field the member can select and copy by hand.
document.addEventListener('click', function (e) {
  var button = e.target.closest('[data-copy]');
  if (!button) return;
  var field = document.getElementById(button.getAttribute('data-copy'));
  if (!field) return;
  field.select();
  var done = function () { button.textContent = button.getAttribute('data-done'); };
  var fallback = function () { if (document.execCommand('copy')) done(); };
  if (navigator.clipboard) {
    navigator.clipboard.writeText(field.value).then(done, fallback);
  } else {
    fallback();
  }
});
