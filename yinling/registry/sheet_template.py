"""The import template: Chinese headers, drop-down lists for enumerations, an instructions sheet."""

from __future__ import annotations

from typing import IO

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from yinling.registry import choices
from yinling.registry.schema import COLUMNS, status_labels

ROWS_WITH_LISTS = 5000


def _options(col_key: str, kind: str, enum: object) -> list[str]:
    if col_key == "status":
        return list(status_labels())
    if kind == "ethnic":
        return [name for _code, name in choices.ethnic_choices()]
    if kind == "bool":
        return ["是", "否"]
    if kind == "choice" and enum is not None:
        return [str(label) for _v, label in enum.choices]  # type: ignore[attr-defined]
    return []


def build_template(target: str | IO[bytes]) -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "离退休干部信息"
    lists = wb.create_sheet("选项")
    lists.sheet_state = "hidden"
    required_fill = PatternFill("solid", fgColor="FCE4D6")
    for index, col in enumerate(COLUMNS, 1):
        cell = ws.cell(row=1, column=index, value=col.header)
        cell.font = Font(bold=True)
        if col.required:
            cell.fill = required_fill
        if col.help:
            cell.comment = Comment(col.help, "银龄")
        letter = get_column_letter(index)
        ws.column_dimensions[letter].width = max(10, len(col.header) * 2 + 4)
        if col.kind in ("id", "phone", "month", "org"):
            # Text format keeps 18-digit ID numbers and leading zeros intact.
            for row in range(2, ROWS_WITH_LISTS + 1):
                ws.cell(row=row, column=index).number_format = "@"
        options = _options(col.key, col.kind, col.enum)
        if options:
            for i, option in enumerate(options, 1):
                lists.cell(row=i, column=index, value=option)
            validation = DataValidation(
                type="list",
                formula1=f"=选项!${letter}$1:${letter}${len(options)}",
                allow_blank=True,
                showErrorMessage=col.kind != "multi",
                errorTitle="请从列表中选择",
                error=f"{col.header}只能填列表中的值",
            )
            ws.add_data_validation(validation)
            validation.add(f"{letter}2:{letter}{ROWS_WITH_LISTS}")
    ws.freeze_panes = "B2"
    notes = wb.create_sheet("说明")
    notes.column_dimensions["A"].width = 18
    notes.column_dimensions["B"].width = 90
    notes.append(["列", "填写说明"])
    for cell in notes[1]:
        cell.font = Font(bold=True)
    notes.append(
        ["总体", "第一行是表头，请勿修改；橙色表头为必填。可在表头上方加标题行；列的顺序可以调整，多余的列会被忽略。"]
    )
    notes.append(["日期", "可写 1945-03-01、1945.03.01、1945年3月1日、19450301，或 Excel 日期。"])
    notes.append(["年月", "入党、参加工作、离退休时间只需年月：1968-08、1968.08、1968年8月均可。"])
    notes.append(["身份证号", "18 位（旧的 15 位号码会自动升位）。请把该列设为“文本”，否则 Excel 只保留 15 位数字。"])
    notes.append(["重复导入", "按身份证号更新已有人员；同一文件导入两次不会产生重复。"])
    for col in COLUMNS:
        text = ("必填。" if col.required else "") + (col.help or "")
        options = _options(col.key, col.kind, col.enum)
        if options and col.kind != "ethnic":
            text += ("可选值：" + "、".join(options)) if text == "" else ("；可选值：" + "、".join(options))
        notes.append([col.header, text or "选填。"])
    for row in notes.iter_rows(min_row=2):
        row[1].alignment = Alignment(wrap_text=True)
    wb.save(target)
