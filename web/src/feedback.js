// How pages put the server's answers in front of the user: a yes/no question
// before something that cannot be undone, and an ApiError shown under the form
// field it names (or as a toast when the dialog has no such field).
import { ElMessageBox } from 'element-plus';

// Resolves to true when the user confirms, false when they cancel or close.
export async function confirmed(message, title, confirmButtonText = '确定', cancelButtonText = '取消') {
  try {
    await ElMessageBox.confirm(message, title, { type: 'warning', confirmButtonText, cancelButtonText });
    return true;
  } catch {
    return false;
  }
}

// {field: message} for el-form-item :error when the error names one of `fields`;
// otherwise `toast(message)` and {}.
export function fieldErrors(error, fields, toast) {
  if (error.field && fields.includes(error.field)) return { [error.field]: error.message };
  toast(error.message);
  return {};
}

// A refusal the user must read (an indicator still in use, a file that is not a spreadsheet).
export function refused(message, title) {
  return ElMessageBox.alert(message, title, { type: 'error', confirmButtonText: '知道了' }).catch(() => {});
}
